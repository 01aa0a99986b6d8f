/**
 * Workflow histories to and from Temporal's JSON form (the form `temporal workflow show --output json` and the Web
 * UI's download produce, with payload bytes as base64).
 *
 * Why not `historyToJSON`/`historyFromJSON` from `@temporalio/common/lib/proto-utils`: in this install,
 * @temporalio/common and @temporalio/proto each carry their own copy of protobufjs 8 (the top level holds 7 for
 * grpc), and protobufjs's `instanceof Type` check fails across copies ("type must be a Type"). Going through the
 * protobufjs that @temporalio/proto itself uses gives the same JSON and works with any layout.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import * as proto from '@temporalio/proto';

/** A workflow history as the SDK and the server exchange it. */
export type History = temporal.api.history.v1.IHistory;

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

// The protobufjs copy that @temporalio/proto resolves: the only one whose Type instances its root holds.
const load = createRequire(__filename);
const protojson = load(
  load.resolve('protobufjs/ext/protojson', { paths: [path.dirname(load.resolve('@temporalio/proto'))] }),
) as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

/** The history as pretty-printed JSON text. */
export function historyToJson(history: History): string {
  const message = temporal.api.history.v1.History.fromObject(history);
  return JSON.stringify(protojson.toJson(historyType, message), null, 2);
}

/** Parses a history in Temporal's JSON form (fields unknown to this SDK version are ignored). */
export function historyFromJson(json: unknown): History {
  const history = protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (history === null || typeof history !== 'object') throw new TypeError('not a workflow history');
  return history as History;
}
