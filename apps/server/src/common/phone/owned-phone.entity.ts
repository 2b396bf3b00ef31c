import { Column, CreateDateColumn } from 'typeorm';

/**
 * The columns every phone list shares (a user's phones and extensions, a company's numbers):
 * a number as typed and its normalised form, which is unique per table so a number has one
 * owner. Subclasses add their id, owner column and table name.
 */
export abstract class OwnedPhone {
  /** As entered. */
  @Column({ name: 'phone_number', type: 'varchar', length: 32 })
  phoneNumber: string;

  /** E.164 for external numbers, the digits for extensions (see PhoneNormalizer). */
  @Column({ name: 'normalized_number', type: 'varchar', length: 20 })
  normalizedNumber: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
