/** The space a virtualised table's rows out of view would take, above or below the rendered ones. */
export function VirtualPadding({ height, columns }: { height: number; columns: number }) {
  if (height <= 0) return null;
  return (
    <tr aria-hidden>
      <td style={{ height, padding: 0 }} colSpan={columns} />
    </tr>
  );
}
