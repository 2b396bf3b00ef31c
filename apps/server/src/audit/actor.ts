/** The user behind an action (null when anonymous) and the client address it came from. */
export interface Actor {
  userId: number | null;
  ip: string | null;
}
