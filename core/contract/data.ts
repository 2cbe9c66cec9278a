/** The `data` slice of the contract (composed in `core/contract.ts`): its input schemas and its method and event tables. Value types are the domain's, imported. */
import { z } from 'zod';
import { event, method, noInput, epochMs } from './define';
import type { DatasetProgress, DatasetReport } from '../dataset/default';
import type { BarColumns } from '../model/bars';
import type { ImportProgress, ImportReport } from '../store/import';
import type { FundamentalAsOf, InstrumentCoverage, Revision } from '../store/queries';

export type { DatasetProgress as DataInitProgress, DatasetReport as DataInitReport } from '../dataset/default';
export type { ImportReport as DataImportReport } from '../store/import';
export type {
  FundamentalAsOf as DataAsOf,
  InstrumentCoverage as DataInstrument,
  Revision as DataRevision,
} from '../store/queries';

/** Progress of `data:import`: the import's progress under the id that names the call; `done` is true once, with the final counts. */
export interface DataImportProgress extends ImportProgress {
  readonly importId: string;
  readonly done: boolean;
}

/**
 * A symbol's bars as typed columns (`BarColumns`): `time` ascending EpochMs, index `i` the same bar in every
 * column. Both transports carry the `Float64Array`s as they are (IPC by structured clone, `quantdesk serve`
 * as `$typed` frames, `core/model/wire.ts`); the chart turns ms into its seconds at the last moment.
 */
export interface DataBars extends BarColumns {
  readonly symbol: string;
}

const importKind = z.enum(['instruments', 'bars', 'fundamentals', 'actions']);
const adjustmentInput = z.union([z.literal('raw'), z.literal('pit'), z.object({ asOf: epochMs }).strict()]);

/**
 * The most text `data:import` accepts in one call (512 Ki characters, so a call fits one WebSocket
 * frame of `quantdesk serve`; README "Limits"). Larger files go through `data:upload-*` in chunks.
 */
export const DATA_IMPORT_MAX_CHARS = 512 * 1024;

/**
 * `data:import`: the text of a file the user chose in the page (picked or dropped): `fileName` is only
 * its label in messages. There is no host path: the page cannot make the host read a file it names.
 */
export const DataImportInput = z
  .object({
    kind: importKind,
    fileName: z
      .string()
      .min(1)
      .max(255)
      // eslint-disable-next-line no-control-regex
      .regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters'),
    content: z
      .string()
      .max(
        DATA_IMPORT_MAX_CHARS,
        `at most ${DATA_IMPORT_MAX_CHARS} characters (send larger files with data:upload-begin/-chunk/-commit)`,
      ),
  })
  .strict();

// -- chunked upload of a file the user chose (issue 15) -------------------------------------

/** Bytes of the user's file in one `data:upload-chunk` (sent as base64: about 683 KiB of text, under a 1 MiB WebSocket frame). */
export const DATA_UPLOAD_CHUNK_BYTES = 512 * 1024;
/** The largest file an upload takes (64 MiB; larger files: `quantdesk import`). */
export const DATA_UPLOAD_MAX_BYTES = 64 * 1024 * 1024;
/** Uploads open at once per host (begun and neither committed, cancelled nor expired). */
export const DATA_UPLOADS_MAX_OPEN = 4;
/** An upload that receives nothing for this long is discarded with its temp file. */
export const DATA_UPLOAD_IDLE_MS = 2 * 60 * 1000;

const uploadId = z.string().min(1).max(64);

/** `data:upload-begin`: what will be sent (`size` bytes of the user's file `fileName`, holding `kind` rows). */
export const DataUploadBeginInput = z
  .object({
    kind: importKind,
    fileName: z
      .string()
      .min(1)
      .max(255)
      // eslint-disable-next-line no-control-regex
      .regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters'),
    size: z
      .number()
      .int()
      .min(0)
      .max(
        DATA_UPLOAD_MAX_BYTES,
        `at most ${DATA_UPLOAD_MAX_BYTES} bytes from the app (import larger files with \`quantdesk import\`)`,
      ),
  })
  .strict();

/** `data:upload-chunk`: chunk `seq` (0, 1, 2, … in order, each sent once) of the file's bytes, base64, at most {@link DATA_UPLOAD_CHUNK_BYTES} bytes decoded. */
export const DataUploadChunkInput = z
  .object({
    uploadId,
    seq: z.number().int().min(0).max(DATA_UPLOAD_MAX_BYTES),
    data: z
      .base64("base64 of the chunk's bytes")
      .min(4)
      .max(4 * Math.ceil(DATA_UPLOAD_CHUNK_BYTES / 3), `at most ${DATA_UPLOAD_CHUNK_BYTES} bytes per chunk`),
  })
  .strict();

/** What `data:upload-begin` answers: the id to send chunks to, and the chunk size to use. */
export interface DataUploadTicket {
  readonly uploadId: string;
  readonly chunkBytes: number;
  readonly maxBytes: number;
  readonly idleMs: number;
}

/** What `data:upload-chunk` answers: bytes received so far of the declared size. */
export interface DataUploadReceipt {
  readonly uploadId: string;
  readonly received: number;
  readonly size: number;
}

/** The data methods (a slice of `METHODS`). */
export const dataMethods = {
  // -- data (foundation issue)
  /** Every instrument with coverage (first/last bar, bar count, gaps), by symbol. */
  'data:instruments': method(noInput).returns<readonly InstrumentCoverage[]>(),
  /** One symbol's bars in [from, to]; `adjustment` raw (default), `pit` or back-adjusted `{ asOf }`. */
  'data:bars': method(
    z
      .object({
        symbol: z.string().min(1),
        from: epochMs.optional(),
        to: epochMs.optional(),
        adjustment: adjustmentInput.optional(),
      })
      .strict(),
  ).returns<DataBars>(),
  /** Imports one CSV; bad rows give `invalid-input` with `FILE:LINE: column: reason` lines in `error.details`. */
  'data:import': method(DataImportInput).returns<ImportReport>(),
  'data:asof': method(
    z.object({ symbol: z.string().min(1), field: z.string().min(1), asOf: epochMs }).strict(),
  ).returns<FundamentalAsOf>(),
  'data:revisions': method(z.object({ symbol: z.string().min(1), field: z.string().min(1) }).strict()).returns<
    readonly Revision[]
  >(),
  /** Symbols listed at `asOf` (or members of universe `name`), delisted names included before delisting. */
  'data:universe': method(z.object({ asOf: epochMs, name: z.string().min(1).optional() }).strict()).returns<
    readonly string[]
  >(),
  /** Loads the default dataset (no-op when present); progress on `data:init-progressed`. */
  'data:init-default': method(noInput).returns<DatasetReport>(),
} as const;

/** The chunked-upload methods (their place in `METHODS` is after the live sessions'). */
export const dataUploadMethods = {
  // -- chunked data upload (issue 15): a file the user chose, in bounded chunks, imported on commit
  /** Opens an upload (at most {@link DATA_UPLOADS_MAX_OPEN} per host; `unavailable` beyond). */
  'data:upload-begin': method(DataUploadBeginInput).returns<DataUploadTicket>(),
  /** Appends chunk `seq` to the upload's temp file; a chunk out of order, repeated, or past the declared size discards the upload. */
  'data:upload-chunk': method(DataUploadChunkInput).returns<DataUploadReceipt>(),
  /** Imports the whole upload exactly as `data:import` would (progress on `data:import-progressed`; any error stores nothing); the temp file is removed either way. */
  'data:upload-commit': method(z.object({ uploadId }).strict()).returns<ImportReport>(),
  /** Discards an open upload, or cancels its import while it commits (nothing stored). */
  'data:upload-cancel': method(z.object({ uploadId }).strict()).returns<{ readonly cancelled: boolean }>(),
} as const;

/** The data events (a slice of `EVENTS`). */
export const dataEvents = {
  // -- data
  'data:import-progressed': event<DataImportProgress>(),
  'data:init-progressed': event<DatasetProgress>(),
} as const;
