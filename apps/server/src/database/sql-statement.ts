/** A parameterised SQL statement: `$1`… placeholders in `text`, their values in order. */
export interface SqlStatement {
  text: string;
  values: unknown[];
}
