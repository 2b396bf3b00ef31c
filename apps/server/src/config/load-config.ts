import { existsSync } from 'node:fs';
import { AmiConfigError, amiServersFromEnv } from '@app/ami';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, ValidationError } from 'class-validator';
import { AppConfig } from './app-config';
import { isSecretKey } from './env-decorators';

export interface ConfigProblem {
  variable: string;
  problem: string;
}

export type ConfigResult = { config: AppConfig } | { problems: ConfigProblem[] };

/** Every variable AppConfig declares (each carries at least one validator). */
export function configVariableNames(): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(AppConfig, '', true, false);
  return [...new Set(metadata.map((entry) => entry.propertyName))];
}

/**
 * Builds the validated AppConfig from an environment. An empty value counts as unset
 * (`DB_HOST=` in a .env file means "no DB_HOST"). Returns every problem at once.
 */
export function loadConfig(env: NodeJS.ProcessEnv): ConfigResult {
  const raw: Record<string, string> = {};
  for (const name of configVariableNames()) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') raw[name] = value;
  }
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const problems = validateSync(config, { forbidUnknownValues: false, stopAtFirstError: true }).map((error) => describeProblem(error, raw));
  if (!problems.some((problem) => problem.variable.startsWith('ASTERISK_'))) problems.push(...asteriskProblems(config));
  return problems.length === 0 ? { config } : { problems };
}

/** The PBX list as a whole (several variables together), checked by the AMI library's own parser. */
function asteriskProblems(config: AppConfig): ConfigProblem[] {
  try {
    amiServersFromEnv(config.asteriskEnv());
    return [];
  } catch (error) {
    if (!(error instanceof AmiConfigError)) throw error;
    return [{ variable: config.ASTERISK_SERVERS ? 'ASTERISK_SERVERS' : 'ASTERISK_HOST', problem: error.problems.join('; ') }];
  }
}

function describeProblem(error: ValidationError, raw: Record<string, string>): ConfigProblem {
  const variable = error.property;
  // stopAtFirstError: the first failed rule per variable (a missing value says nothing else).
  const reasons = Object.values(error.constraints ?? {}).map((message) =>
    message.startsWith(`${variable} `) ? message.slice(variable.length + 1) : message,
  );
  const given = raw[variable];
  const shown = given !== undefined && !isSecretKey(AppConfig, variable) ? ` (got "${truncate(given)}")` : '';
  return { variable, problem: `${[...new Set(reasons)].join('; ')}${shown}` };
}

function truncate(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}...` : value;
}

export function formatConfigProblems(problems: ConfigProblem[]): string {
  const lines = problems.map(({ variable, problem }) => `  ${variable}: ${problem}`);
  return [`Invalid configuration (${problems.length} variable${problems.length === 1 ? '' : 's'}):`, ...lines].join('\n');
}

/**
 * Loads `.env` (or the file named by ENV_FILE; `ENV_FILE=none` disables it) into process.env
 * without overriding variables that are already set, as dotenv does.
 */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env): void {
  const file = env.ENV_FILE ?? '.env';
  if (file === 'none' || !existsSync(file)) return;
  process.loadEnvFile(file);
}

/** Boot-time entry: the validated config, or one line per bad variable on stderr and exit 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): AppConfig {
  loadEnvFile(env);
  const result = loadConfig(env);
  if ('config' in result) return result.config;
  process.stderr.write(`${formatConfigProblems(result.problems)}\n`);
  process.exit(1);
}
