// Setup file of every project: runs before each test file, in that file's worker.
import { afterEach } from 'vitest';
import { closeOpened } from './helpers/after-test.ts';

afterEach(closeOpened);
