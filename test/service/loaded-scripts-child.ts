import { Session } from 'node:inspector/promises';
import { runCommand } from '../../src/cli/commands/run.js';

/**
 * `hearth run` as a child process that, asked over IPC ('scripts'), answers with the URL of every
 * script V8 holds: ESM and CommonJS, the repository's own modules and packages alike. The
 * debugger's `scriptParsed` events replay every script already compiled when it is enabled, so
 * the list is what the process loaded, not what a module cache happens to record.
 * Arguments are those of `hearth run` (without the word run).
 */
async function loadedScripts(): Promise<string[]> {
  const session = new Session();
  session.connect();
  const urls: string[] = [];
  session.on('Debugger.scriptParsed', (m) => {
    if (m.params.url !== '') urls.push(m.params.url);
  });
  await session.post('Debugger.enable');
  await session.post('Debugger.disable');
  session.disconnect();
  return urls;
}

process.on('message', (m) => {
  if (m !== 'scripts') return;
  loadedScripts().then(
    (urls) => process.send?.({ scripts: urls }),
    (err: unknown) => process.send?.({ error: String(err) }),
  );
});
process.channel?.unref();

process.exitCode = await runCommand.run(process.argv.slice(2));
