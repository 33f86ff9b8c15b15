import { runCommand } from '../../src/cli/commands/run.js';
import { Daemon } from '../../src/daemon.js';

/**
 * `hearth run` as a child process, with two test-only controls the production entry point does
 * not have: HEARTH_TEST_HOLD_START_MS delays Daemon.start (a slow SD card), and IPC messages make
 * the process fail the ways a bug would ('reject': a promise nobody catches, 'throw': an exception
 * nobody catches), so the test sees what the run command's handlers do with them.
 * Arguments are those of `hearth run` (without the word run).
 */
const hold = Number(process.env.HEARTH_TEST_HOLD_START_MS ?? 0);
if (hold > 0) {
  const start = Daemon.prototype.start;
  Daemon.prototype.start = async function (this: Daemon): Promise<void> {
    process.stdout.write('{"msg":"test: start held"}\n');
    await new Promise((r) => setTimeout(r, hold));
    return start.call(this);
  };
}

process.on('message', (m) => {
  if (m === 'reject') void Promise.reject(new Error('test: a promise nobody caught'));
  if (m === 'throw')
    setTimeout(() => {
      throw new Error('test: an exception nobody caught');
    }, 0);
});
process.channel?.unref();

process.exitCode = await runCommand.run(process.argv.slice(2));
