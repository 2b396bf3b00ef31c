import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { AppConfig } from '../../config/app-config';
import type { ByteRange, OpenedFile, RecordingStore, StoredFile } from './recording-store';

/**
 * An S3-compatible bucket (AWS S3, MinIO, Ceph, Garage, …) through the AWS SDK v3. Keys are the
 * recordings' storage keys under RECORDINGS_S3_PREFIX; reads ask the service for the byte range,
 * so seeking in a long recording moves no more than the player asks for.
 */
export class S3RecordingStore implements RecordingStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(config: AppConfig) {
    this.bucket = config.RECORDINGS_S3_BUCKET!;
    this.prefix = config.RECORDINGS_S3_PREFIX ?? '';
    const credentials =
      config.RECORDINGS_S3_ACCESS_KEY_ID && config.RECORDINGS_S3_SECRET_ACCESS_KEY
        ? { accessKeyId: config.RECORDINGS_S3_ACCESS_KEY_ID, secretAccessKey: config.RECORDINGS_S3_SECRET_ACCESS_KEY }
        : undefined;
    this.client = new S3Client({
      region: config.RECORDINGS_S3_REGION,
      endpoint: config.RECORDINGS_S3_ENDPOINT,
      forcePathStyle: config.RECORDINGS_S3_FORCE_PATH_STYLE,
      credentials,
      maxAttempts: 3,
      // Checksums only where S3 requires them: the SDK's default streams uploads as aws-chunked with a
      // CRC trailer, which S3-compatible servers that do not know it store as part of the object.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** `s3://bucket/prefix`, for logs. */
  get location(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  async stat(key: string): Promise<StoredFile | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      return { size: head.ContentLength ?? 0, modifiedAt: head.LastModified ?? new Date(0) };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async open(key: string): Promise<OpenedFile | null> {
    const stored = await this.stat(key);
    return stored && { ...stored, read: (range?: ByteRange) => this.read(key, range), close: async () => undefined };
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const object = await this.client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
    );
    return object.Body as Readable;
  }

  /** Uploads a local file (its size known up front: one PUT, streamed from disk). */
  async upload(key: string, localPath: string, size: number, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Body: createReadStream(localPath), ContentLength: size, ContentType: contentType }),
    );
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
  }

  close(): void {
    this.client.destroy();
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.$metadata.httpStatusCode === 404 || error.name === 'NotFound' || error.name === 'NoSuchKey');
}
