import type { LoggerService, LogLevel as NestLogLevel } from '@nestjs/common';
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';
import type { AppConfig } from '../../config/app-config';

/** Paths pino blanks out wherever they appear in a log object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.passwordHash',
  '*.secret',
  '*.token',
  '*.accessToken',
  '*.jwtSecret',
];

let root: PinoLogger | null = null;

/**
 * The process's one pino logger, created before Nest so that every line is stamped when it
 * happens (a buffered start-up would stamp them all at the flush). JSON lines, or readable
 * coloured lines when stdout is a terminal (LOG_FORMAT=auto) or LOG_FORMAT=pretty.
 */
export function rootLogger(config: Pick<AppConfig, 'LOG_LEVEL' | 'LOG_FORMAT'>, destination?: DestinationStream): PinoLogger {
  if (root && !destination) return root;
  const readable = config.LOG_FORMAT === 'pretty' || (config.LOG_FORMAT === 'auto' && process.stdout.isTTY === true);
  const stream = destination ?? (readable ? pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,context', messageFormat: '{if context}[{context}] {end}{msg}', singleLine: true }) : undefined);
  const logger = pino({ level: config.LOG_LEVEL, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, stream);
  if (!destination) root = logger;
  return logger;
}

const LEVELS: Record<NestLogLevel, pino.Level> = { log: 'info', error: 'error', warn: 'warn', debug: 'debug', verbose: 'trace', fatal: 'fatal' };

/**
 * Nest's LoggerService over pino: `new Logger(Context).log(...)` anywhere in the app writes one
 * pino line with its `context`. Structured messages (objects) are merged into the line.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: PinoLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: NestLogLevel, message: unknown, params: unknown[]): void {
    // Nest passes the context last; an error's stack comes before it.
    const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const stack = level === 'error' && typeof params[0] === 'string' ? (params.shift() as string) : undefined;
    const fields: Record<string, unknown> = { context };
    if (stack) fields.stack = stack;
    const method = LEVELS[level];
    if (message instanceof Error) this.logger[method]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) {
      const { msg, ...rest } = message as { msg?: unknown };
      this.logger[method]({ ...fields, ...rest }, typeof msg === 'string' ? msg : '');
    } else this.logger[method](fields, String(message));
  }
}
