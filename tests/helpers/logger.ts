// Loggers for components a test builds itself: children of one root at `warn`, the production logger
// (runtime/logger.ts) with its masking, so a test sees the lines a deployment would.
import { createLogger, type Logger } from '../../runtime/logger.ts';

const root = createLogger({ level: 'warn' });

export function testLogger(component: string): Logger {
  return root.child({ component });
}
