#!/usr/bin/env node
// The one-command launcher behind run.sh and run.bat (plain Node, no dependencies, so it runs before
// `npm ci`): checks Node, installs dependencies only when needed, builds only when sources changed, then
// runs the server in the foreground and opens the browser (unless NO_BROWSER=1). Ctrl+C stops it cleanly.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MIN_NODE = [20, 19];
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const isWindows = process.platform === 'win32';
const lockHashFile = path.join(root, 'node_modules', '.dtm-lock-hash');
const buildStamp = path.join(root, 'dist', '.build-stamp');

function fail(message) {
  console.error(`\n${message}\n`);
  process.exit(1);
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    fail(
      `Node.js ${process.versions.node} is too old: version ${MIN_NODE.join('.')} or newer is required. Install a current LTS from https://nodejs.org/ and run this again.`,
    );
  }
}

function run(command, args, what) {
  console.log(`> ${what}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: isWindows });
  if (result.status !== 0)
    fail(`${what} failed (exit code ${result.status ?? result.signal}). See the messages above.`);
}

function lockHash() {
  return createHash('sha256')
    .update(readFileSync(path.join(root, 'package-lock.json')))
    .digest('hex');
}

function installIfNeeded() {
  const current = lockHash();
  const installed = existsSync(lockHashFile) ? readFileSync(lockHashFile, 'utf8').trim() : null;
  if (existsSync(path.join(root, 'node_modules')) && installed === current) return;
  run('npm', ['ci', '--no-audit', '--no-fund'], 'Installing dependencies (npm ci)');
  writeFileSync(lockHashFile, `${current}\n`);
}

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(target)
    .filter((name) => name !== 'generated')
    .reduce((max, name) => Math.max(max, newestMtime(path.join(target, name))), stat.mtimeMs);
}

function buildIfNeeded() {
  const inputs = ['src', 'prisma/schema.prisma', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
  const newestInput = Math.max(...inputs.map((p) => newestMtime(path.join(root, p))));
  const built =
    existsSync(buildStamp) && existsSync(path.join(root, 'dist', 'src', 'server.js'))
      ? statSync(buildStamp).mtimeMs
      : 0;
  if (built >= newestInput) return;
  run('npm', ['run', 'build'], 'Building');
  writeFileSync(buildStamp, `${new Date().toISOString()}\n`);
}

function startServer() {
  const env = { ...process.env, OPEN_BROWSER: process.env.NO_BROWSER === '1' ? '0' : '1' };
  const child = spawn(process.execPath, [path.join('dist', 'src', 'server.js')], { cwd: root, stdio: 'inherit', env });
  // Ctrl+C reaches the server directly (same process group); the launcher waits for it to finish.
  const forward = (signal) => {
    if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', () => forward('SIGINT'));
  process.on('SIGTERM', () => forward('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

checkNode();
installIfNeeded();
buildIfNeeded();
startServer();
