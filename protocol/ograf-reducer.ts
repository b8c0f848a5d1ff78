// The reducer's part for OGraf graphics (ograf.ts): which instances are on program, at which step, with which
// data. Pure, as the reducer is: the server time comes in as `now`, and the stored graphics (their refs and
// compiled data checks) come in as the catalog, resolved by the controller before the command is applied.
import {
  MAX_OGRAF_DATA_BYTES,
  MAX_OGRAF_INSTANCES,
  type OGrafCatalog,
  type OGrafCommand,
  type OGrafData,
  type OGrafInstance,
  type OGrafState,
} from './ograf.ts';
import type { ProgramState } from './state.ts';

export type OGrafErrorCode =
  'UNKNOWN_GRAPHIC' | 'UNKNOWN_INSTANCE' | 'TOO_MANY_INSTANCES' | 'INVALID_DATA' | 'GRAPHIC_FAILED';

export type OGrafResult =
  { ok: true; state: ProgramState } | { ok: false; code: OGrafErrorCode; message: string; field: string };

class OGrafRejection extends Error {
  constructor(
    readonly code: OGrafErrorCode,
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export function reduceOGraf(
  state: ProgramState,
  command: OGrafCommand,
  now: number,
  catalog: OGrafCatalog | undefined,
): OGrafResult {
  try {
    return { ok: true, state: { ...state, ograf: reduce(state.ograf ?? { instances: [] }, command, now, catalog) } };
  } catch (error) {
    if (!(error instanceof OGrafRejection)) throw error;
    return { ok: false, code: error.code, message: error.message, field: error.field };
  }
}

function reduce(ograf: OGrafState, command: OGrafCommand, now: number, catalog: OGrafCatalog | undefined): OGrafState {
  if (command.type === 'ograf.load') {
    const entry = catalog?.get(command.graphic);
    if (entry === undefined)
      throw new OGrafRejection(
        'UNKNOWN_GRAPHIC',
        `There is no graphic "${command.graphic}" for this event.`,
        'graphic',
      );
    const others = ograf.instances.filter((i) => i.id !== command.instance);
    if (others.length >= MAX_OGRAF_INSTANCES)
      throw new OGrafRejection(
        'TOO_MANY_INSTANCES',
        `At most ${MAX_OGRAF_INSTANCES} graphics may be loaded at once: clear one first.`,
        'instance',
      );
    const data = command.data ?? {};
    checkData(data, (d) => entry.checkData(d));
    const loaded: OGrafInstance = {
      id: command.instance,
      graphic: entry.ref,
      layer: command.layer ?? 'above',
      status: 'loaded',
      step: null,
      data,
      loadedAt: now,
      changedAt: now,
    };
    // Loaded again under the same id: a fresh instance, drawn in its old place (a reload is not a re-order).
    const index = ograf.instances.findIndex((i) => i.id === command.instance);
    const instances = [...ograf.instances];
    if (index < 0) instances.push(loaded);
    else instances[index] = loaded;
    return { instances };
  }
  const current = ograf.instances.find((i) => i.id === command.instance);
  if (current === undefined)
    throw new OGrafRejection('UNKNOWN_INSTANCE', `No graphic is loaded as "${command.instance}".`, 'instance');
  if (command.type === 'ograf.clear') return { instances: ograf.instances.filter((i) => i !== current) };
  if (current.failed !== undefined && command.type !== 'ograf.fail')
    throw new OGrafRejection(
      'GRAPHIC_FAILED',
      `"${command.instance}" was unloaded (${current.failed.message}): load it again or clear it.`,
      'instance',
    );
  const next = (patch: Partial<OGrafInstance>): OGrafState => ({
    instances: ograf.instances.map((i) => (i === current ? { ...current, ...patch, changedAt: now } : i)),
  });
  switch (command.type) {
    case 'ograf.play':
      return next(playTarget(current, command.goto, command.delta));
    case 'ograf.update': {
      const data = { ...current.data, ...command.data };
      const entry = catalog?.get(current.graphic.id);
      // A graphic deleted from the store while on air keeps playing; its data can no longer be checked.
      if (entry === undefined)
        throw new OGrafRejection('UNKNOWN_GRAPHIC', `The graphic "${current.graphic.name}" was deleted.`, 'instance');
      checkData(data, (d) => entry.checkData(d));
      if (JSON.stringify(data) === JSON.stringify(current.data)) return ograf;
      return next({ data });
    }
    case 'ograf.stop':
      if (current.status !== 'playing') return ograf;
      return next({ status: 'stopped', step: null });
    case 'ograf.fail':
      // Every renderer reports it: the first one says it. A report about an earlier load is old news.
      if (current.failed !== undefined) return ograf;
      if (command.loadedAt !== undefined && command.loadedAt !== current.loadedAt) return ograf;
      return next({ failed: { message: command.message, at: now }, status: 'stopped', step: null });
  }
}

/**
 * OGraf's step model: `goto` or the current step + `delta` (1 when neither is given; from before the first
 * step when not playing). At or past stepCount the graphic plays out to its end; a zero-step graphic plays in
 * and out by itself.
 */
function playTarget(
  current: OGrafInstance,
  goto: number | undefined,
  delta: number | undefined,
): Pick<OGrafInstance, 'status' | 'step'> {
  const { stepCount } = current.graphic;
  if (stepCount === 0) return { status: 'playing', step: null };
  const from = current.status === 'playing' ? (current.step ?? -1) : -1;
  const target = goto ?? from + (delta ?? 1);
  if (target >= stepCount) return { status: 'stopped', step: null };
  return { status: 'playing', step: Math.max(0, target) };
}

function checkData(data: OGrafData, check: (data: OGrafData) => { field: string; message: string } | null): void {
  if (JSON.stringify(data).length > MAX_OGRAF_DATA_BYTES)
    throw new OGrafRejection('INVALID_DATA', `A graphic's data is at most ${MAX_OGRAF_DATA_BYTES / 1024} KiB.`, 'data');
  const problem = check(data);
  if (problem !== null) {
    const field = problem.field === '' ? 'data' : `data.${problem.field}`;
    throw new OGrafRejection('INVALID_DATA', `${field} ${problem.message}`, field);
  }
}
