/**
 * Reading requests and writing answers on Node's `http` objects: body limits, JSON and form parsing,
 * and the two ways an answer can end (sent, or the connection reset).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Answer } from './answers';

/** Qlik's request bodies are tiny; anything bigger is a client bug worth failing loudly. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The body was larger than the simulator accepts. */
export class BodyTooLargeError extends Error {}

/** Reads the whole request body as UTF-8. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Request headers as a flat record (Node already lower-cases the names). */
export function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** A parsed body: the object, or why it could not be parsed. */
export type Parsed = { ok: true; value: Record<string, unknown> } | { ok: false; problem: string };

/** Parses a JSON object body; an empty body counts as `{}`. */
export function parseJsonObject(body: string): Parsed {
  if (body.trim() === '') return { ok: true, value: {} };
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, problem: 'The request body must be a JSON object.' };
    }
    return { ok: true, value: value as Record<string, unknown> };
  } catch {
    return { ok: false, problem: 'The request body is not valid JSON.' };
  }
}

/** Parses a token request, which OAuth allows as JSON or as a form. */
export function parseJsonOrForm(body: string, contentType: string | undefined): Parsed {
  if (contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return { ok: true, value: Object.fromEntries(new URLSearchParams(body)) };
  }
  return parseJsonObject(body);
}

/** Resets the connection: the client sees ECONNRESET / "other side closed", never an answer. */
export function dropConnection(req: IncomingMessage): void {
  const socket = req.socket;
  if (socket.destroyed) return;
  // A TCP RST rather than a FIN looks like the network failure it stands for.
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/** Writes an answer; returns false when the client had already gone. */
export function sendAnswer(res: ServerResponse, answer: Answer): boolean {
  if (res.destroyed || res.socket?.destroyed) return false;
  const text = answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json));
  const contentType =
    answer.contentType ?? (answer.json === undefined && answer.text === undefined ? undefined : 'application/json');
  const headers: Record<string, string | number> = { ...answer.headers, 'content-length': Buffer.byteLength(text) };
  if (contentType) headers['content-type'] = `${contentType}; charset=utf-8`;
  res.writeHead(answer.status, headers);
  res.end(text);
  return true;
}
