import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/**
 * The unit lane (`npm run test:unit`, under a minute on two cores): every file that needs no browser, no ffmpeg
 * and no child process of its own, nor an outside server (the LiveKit suites). Redis is allowed: the one
 * embedded redis-server that tests/global-setup.ts starts for the whole run is shared, not the file's own.
 * tests/unit-lane.ts makes the rule hold: in this lane, starting a child process fails the file.
 */
const UNIT_TESTS = [
  'tests/protocol/*.test.ts',
  'tests/controller/{access-matrix,camera-controls,cameras-livekit,commentary-seats,direct-media-signalling}.test.ts',
  'tests/controller/{events-and-keys,fuzz}.test.ts',
  'tests/controller/{ingress-cameras,obs-websocket,program-api,program-concurrency}.test.ts',
  'tests/controller/{realtime-abuse,realtime-relay,realtime-roles,sponsors-api,watch-info}.test.ts',
  'tests/replay/iso-egress.test.ts',
  'tests/runtime/{config,livekit-twirp-stub,logger}.test.ts',
  'tests/security/{camera-impersonation,commentary-seats,destination-secrets,key-revocation}.test.ts',
  'tests/security/livekit-token-refresh.test.ts',
  'tests/security/{log-stream-trim,output-plan-cas,proxy-trust,redis-blip}.test.ts',
  'tests/stack/worker-healthcheck.test.ts',
  'tests/template/template-query.test.ts',
  'tests/web/switch-timeline.test.ts',
  'tests/worker/{export-queue,output-attempts,rerender-route,rerender-timeline,retention}.test.ts',
];

/**
 * Files that need the machine to themselves, run after all the others, one at a time: each records a phone
 * camera's ISO and the program at once (replay-on-program, rerender-from-iso) or checks frame timing
 * (program-pixels), and beside another browser test on two cores each measured the load, not the product.
 * .ci/run's Node 22 and 24 passes leave this project out.
 */
const SOLO_TESTS = [
  'tests/replay/replay-on-program.test.ts',
  'tests/template/program-pixels.test.ts',
  'tests/replay/rerender-from-iso.test.ts',
  // Sound levels and a 200 ms delay read off the built-in recording (three Chromiums in program-mixer).
  'tests/cameras/program-mixer.test.ts',
  // A commentator's voice, ducking and the cough's timing read off the recording (three Chromiums).
  'tests/crew/commentary.test.ts',
  // A seat's ISO and the export's program, international and commentary tracks, read off the files.
  'tests/crew/commentary-iso.test.ts',
  // The director's voice on a camera page and absent from the recording (three Chromiums and the recorder).
  'tests/crew/talkback.test.ts',
  'tests/template/program-sound.test.ts',
  // A recorder and a director page at once, read against ffmpeg after 20 s of program.
  'tests/web/program-loudness.test.ts',
  // It loads both cores on purpose (a venue laptop working hard); beside another file it measures that file too.
  'tests/replay/replay-under-load.test.ts',
  // Take latency idle and under a viewer flood, as a ratio: a browser test beside it moved its p99 past the bound.
  'tests/faults/viewer-flood.test.ts',
  // A phone and a director page while a dozen sockets hog the phone's send slots.
  'tests/security/send-slots.test.ts',
  // Sponsor colours read off two minutes of built-in recording, frame by frame.
  'tests/web/sponsor-recording.test.ts',
];

function project(name: string, include: string[], options: TestProjectInlineConfiguration['test'] = {}) {
  return {
    test: {
      name,
      include,
      pool: 'forks',
      setupFiles: ['tests/setup.ts'],
      testTimeout: 60_000,
      hookTimeout: 120_000,
      // Worker lifecycle lines at info would bury the test report; warnings and errors still show.
      env: { LOG_LEVEL: 'warn' },
      // The controller's routes are loaded by @fastify/autoload's import(); inlined, that import goes
      // through vitest's transform and can load the .ts route files.
      server: { deps: { inline: ['@fastify/autoload'] } },
      ...options,
    },
  } satisfies TestProjectInlineConfiguration;
}

// Projects of one `groupOrder` run together; groups run in order. So `vitest run` (npm test) runs unit and
// integration side by side, then each solo file alone; `--project unit` is the fast lane.
export default defineConfig({
  test: {
    // Set once here, not per project, so the whole run shares one Redis.
    globalSetup: ['tests/global-setup.ts'],
    // Two cores: browser and ffmpeg tests are heavy, so at most two test files run at once. Unit and
    // integration take it from here, so a `--maxWorkers` on the command line (.ci/run's reruns) reaches them.
    maxWorkers: 2,
    projects: [
      // One worker runs many unit files without reloading their modules (isolate: false): importing the
      // controller again for each file was half the lane's time. So hooks go in setup files (tests/setup.ts).
      project('unit', UNIT_TESTS, { isolate: false, setupFiles: ['tests/setup.ts', 'tests/unit-lane.ts'] }),
      project('integration', ['tests/**/*.test.ts'], { exclude: [...UNIT_TESTS, ...SOLO_TESTS] }),
      project('solo', SOLO_TESTS, { maxWorkers: 1, sequence: { groupOrder: 1 } }),
    ],
  },
});
