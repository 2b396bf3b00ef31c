import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { type PlaceCallRequest, PlaceCallError } from '../engine/call-placer';
import { TrafficProfileError, type TrafficProfile } from '../traffic/traffic-profile';

/** What the control endpoint drives: the pieces of a running simulator it needs. */
export interface ControlTarget {
  placeCall(req: PlaceCallRequest): { linkedid: string; channel: string; uniqueid: string };
  callInfo(linkedid: string): object | undefined;
  channels(): object[];
  stats(): object;
  setTraffic(profile: Partial<TrafficProfile>): object;
  startTraffic(): void;
  stopTraffic(): void;
}

const MAX_BODY = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A small JSON control API next to the AMI port, for tests and demos:
 * `POST /calls` places a scripted call, `GET /calls/:linkedid`, `GET /channels`,
 * `GET /stats`, `PUT /traffic` (profile), `POST /traffic/start|stop`, `GET /health`.
 * Errors are `{ error: <code>, message }` with a 4xx status; nothing reaches a stack trace.
 */
export class ControlHttpServer {
  private readonly server: Server;

  constructor(
    private readonly target: ControlTarget,
    private readonly host = '127.0.0.1',
    private readonly port = 0,
  ) {
    this.server = createServer((req, res) => void this.route(req, res));
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.host, () => {
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : this.port);
      });
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname.replace(/\/+$/, '') || '/';
      const method = req.method ?? 'GET';
      if (method === 'GET' && path === '/health') return send(res, 200, { status: 'ok' });
      if (method === 'GET' && path === '/stats') return send(res, 200, this.target.stats());
      if (method === 'GET' && path === '/channels') return send(res, 200, this.target.channels());
      if (method === 'POST' && path === '/calls') {
        const body = (await readJson(req)) as PlaceCallRequest;
        return send(res, 201, this.target.placeCall(body));
      }
      const call = /^\/calls\/([\w.-]+)$/.exec(path);
      if (method === 'GET' && call) {
        const info = this.target.callInfo(call[1]);
        if (!info) throw new HttpError(404, 'not-found', `no call ${call[1]}`);
        return send(res, 200, info);
      }
      if (method === 'PUT' && path === '/traffic') return send(res, 200, this.target.setTraffic((await readJson(req)) as Partial<TrafficProfile>));
      if (method === 'POST' && path === '/traffic/start') {
        this.target.startTraffic();
        return send(res, 200, { running: true });
      }
      if (method === 'POST' && path === '/traffic/stop') {
        this.target.stopTraffic();
        return send(res, 200, { running: false });
      }
      throw new HttpError(404, 'not-found', `no route ${method} ${path}`);
    } catch (err) {
      if (err instanceof HttpError) return send(res, err.status, { error: err.code, message: err.message });
      if (err instanceof PlaceCallError) return send(res, 400, { error: err.code, message: err.message });
      if (err instanceof TrafficProfileError) return send(res, 400, { error: 'invalid-profile', message: err.message });
      return send(res, 500, { error: 'internal', message: 'internal error' });
    }
  }
}

function send(res: ServerResponse, status: number, body: object): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'too-large', `body over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid-json', 'body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(400, 'invalid-json', 'body must be a JSON object');
  return parsed;
}
