// Issue 11, item 12: a program output's attempts start again after a stable run. A three-hour show
// with five Chromium (or egress) crashes hours apart must keep going; only failures in quick
// succession (a setting that cannot work) end it. Egress backend on the Twirp stub, failed by webhook;
// the worker's stable period and retry base are shortened so a long show fits in seconds.
import { Job, Queue } from 'bullmq';
import { EgressStatus, WebhookEvent, type EgressInfo } from '@livekit/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PROGRAM_OUTPUT_QUEUE,
  createRedisKeys,
  programOutputJobId,
  type JobStatusMessage,
  type RedisKeys,
} from '../../protocol/index.ts';
import { EgressBackend } from '../../worker/egress-backend.ts';
import { forwardEgressWebhook } from '../../outputs/egress-updates.ts';
import { JobClient, OUTPUT_JOB_ATTEMPTS } from '../../outputs/job-client.ts';
import { MAX_STALLED_COUNT, OutputWorker } from '../../worker/output-worker.ts';
import { LiveKitTwirpStub } from '../helpers/livekit-twirp.ts';
import { freshPrefix, testRedis, testRedisUrl } from '../helpers/redis.ts';
import { StatusListener, until } from './helpers.ts';
import { testLogger } from '../helpers/logger.ts';

const START = 'livekit.Egress/StartRoomCompositeEgress';
const STABLE_RUN_MS = 400;
const RETRY_BASE_MS = 100;
/** More crashes than the job has attempts. */
const CRASHES = OUTPUT_JOB_ATTEMPTS + 2;

let stub: LiveKitTwirpStub;
let keys: RedisKeys;
let client: JobClient;
let worker: OutputWorker;
let status: StatusListener;
const redis = testRedis();
let eventId: string;

/** A worker on the stub with the shortened stable period and retry base. */
async function startWorker(): Promise<OutputWorker> {
  const started = new OutputWorker({
    log: testLogger('output'),
    redisUrl: testRedisUrl(),
    keys,
    backends: { egress: new EgressBackend({ url: stub.url, apiKey: stub.apiKey, apiSecret: stub.apiSecret }) },
    stableRunMs: STABLE_RUN_MS,
    retryBaseMs: RETRY_BASE_MS,
  });
  await started.start();
  return started;
}

beforeEach(async () => {
  stub = new LiveKitTwirpStub();
  await stub.start();
  keys = createRedisKeys(freshPrefix('attempts'));
  eventId = 'attempts';
  client = new JobClient({ redis: testRedisUrl(), backend: 'egress', keys });
  await client.start();
  worker = await startWorker();
  status = new StatusListener(testRedis(), keys);
  await status.start(eventId);
});

afterEach(async () => {
  await worker.close();
  const queue = new Queue(PROGRAM_OUTPUT_QUEUE, { connection: testRedis(), prefix: keys.queuePrefix });
  await queue.obliterate({ force: true });
  await queue.close();
  await client.close();
  status.close();
  await stub.close();
});

/** Waits for the n-th egress to be running, then fails it (as LiveKit's webhook reports it). */
async function crashEgress(n: number, afterMs: number): Promise<void> {
  await until(() => stub.callsOf(START).length >= n, 15_000, `egress #${n} to start`);
  const seen = status.messages.length;
  await until(() => status.messages.slice(seen - 1).some((m) => m.state === 'running'), 15_000, `output #${n} running`);
  await new Promise((resolve) => setTimeout(resolve, afterMs));
  const info = [...stub.egresses.values()].at(-1) as EgressInfo;
  info.status = EgressStatus.EGRESS_FAILED;
  info.error = `crash ${n}`;
  await forwardEgressWebhook(redis, keys, new WebhookEvent({ event: 'egress_updated', egressInfo: info }));
  await until(() => status.messages.some((m) => m.message.includes(`crash ${n}`)), 15_000, `crash ${n} reported`);
}

const failed = (m: JobStatusMessage) => m.type === 'job.output' && m.state === 'failed';

describe('program output attempts', () => {
  it(`${CRASHES} crashes each after a stable run never end the output`, async () => {
    await client.startStream(
      eventId,
      { templateUrl: 'http://127.0.0.1:1/template/?event=x&key=k', video: { width: 1280, height: 720, fps: 30 } },
      {
        destinations: [{ id: 'club', kind: 'rtmp', serverUrl: 'rtmp://127.0.0.1:1/live', streamKey: 'k' }],
      },
    );
    for (let n = 1; n <= CRASHES; n++) await crashEgress(n, STABLE_RUN_MS + 100);
    await until(() => stub.callsOf(START).length === CRASHES + 1, 15_000, 'the output back after the last crash');
    expect(status.messages.filter(failed)).toEqual([]);
  });

  it('forgets the stalls of earlier worker crashes once the output has run stably', async () => {
    // The job is queued while no worker runs, so its stall count is set before any run can reset it.
    await worker.close();
    await client.startStream(
      eventId,
      { templateUrl: 'http://127.0.0.1:1/template/?event=x&key=k', video: { width: 1280, height: 720, fps: 30 } },
      {
        destinations: [{ id: 'club', kind: 'rtmp', serverUrl: 'rtmp://127.0.0.1:1/live', streamKey: 'k' }],
      },
    );
    const queue = new Queue(PROGRAM_OUTPUT_QUEUE, { connection: testRedis(), prefix: keys.queuePrefix });
    const stalls = async () => (await Job.fromId(queue, programOutputJobId(eventId)))?.stalledCounter;
    // As if workers running this output had been killed MAX_STALLED_COUNT times already (BullMQ's count
    // of stalls, kept in the job): one more stall would end the output for good.
    await redis.hset(queue.toKey(programOutputJobId(eventId)), 'stc', MAX_STALLED_COUNT);
    expect(await stalls()).toBe(MAX_STALLED_COUNT);
    worker = await startWorker();
    await until(() => stub.callsOf(START).length >= 1, 15_000, 'the egress to start');
    await until(async () => (await stalls()) === 0, 15_000, 'the stall count reset after a stable run');
    await queue.close();
  });

  it(`${OUTPUT_JOB_ATTEMPTS} failures in quick succession end it, with the reason`, async () => {
    await client.startStream(
      eventId,
      { templateUrl: 'http://127.0.0.1:1/template/?event=x&key=k', video: { width: 1280, height: 720, fps: 30 } },
      {
        destinations: [{ id: 'club', kind: 'rtmp', serverUrl: 'rtmp://127.0.0.1:1/live', streamKey: 'k' }],
      },
    );
    for (let n = 1; n <= OUTPUT_JOB_ATTEMPTS; n++) await crashEgress(n, 0);
    const end = await status.waitFor(failed);
    expect(end.message).toContain(`crash ${OUTPUT_JOB_ATTEMPTS}`);
    expect(stub.callsOf(START)).toHaveLength(OUTPUT_JOB_ATTEMPTS);
  });
});
