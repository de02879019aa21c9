// npm's `prepare` hook: builds dist/ (about a second). npm runs it after `npm ci` / `npm install`
// in a clone, before `npm pack`, and when it installs the repository as a git dependency
// (`npm install -g git+https://...`): that is what makes a git install ship a built bundle.
//
// One npm bug is worked around here (npm/cli#8440, open): under `npm install -g git+...` the
// `npm install` that npm runs in its temporary clone inherits the global flag and prefix
// (npm_config_global, npm_config_prefix), so it installs no devDependencies there, and the build
// finds no tsc. When the build tools are missing, they are installed into the clone first, from
// its package-lock.json, as a local install (--global=false, --prefix=clone), without scripts
// (--ignore-scripts: no recursion into this hook; esbuild and TypeScript run from their
// platform packages without their postinstall).
import { existsSync, lstatSync, mkdirSync, realpathSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const here = process.cwd();
// the npm that runs this hook; `npm` on PATH otherwise
const npmCli = process.env.npm_execpath;
const npm = (args) => {
  const [cmd, argv] = npmCli && /\.c?js$/.test(npmCli) ? [process.execPath, [npmCli, ...args]] : ['npm', args];
  const r = spawnSync(cmd, [...argv, '--global=false', `--prefix=${here}`], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const tools = ['node_modules/typescript/package.json', 'node_modules/esbuild/package.json'];
if (!tools.every((t) => existsSync(t))) {
  console.error('zonerw prepare: the build tools are not installed here (npm install -g of a git URL: npm/cli#8440); installing the devDependencies into this clone');
  npm(['ci', '--include=dev', '--ignore-scripts', '--no-audit', '--no-fund']);
}
npm(['run', 'build']);

// The same bug's second half: that inner install, being global, also linked this temporary
// clone into the global prefix (PREFIX/lib/node_modules/zonerw -> the clone). The outer install
// then extracts the package through that link into the clone, which npm deletes afterwards:
// a dangling link and no zonerw. Replace the link (only a link to this very clone) with an
// empty folder for the outer install to fill.
// npm_config_global_prefix: where the npm that runs this hook installs global packages (npm sets
// it for every script; npm_config_prefix only when the prefix was given on its command line).
const globalPrefix = process.env.npm_config_global_prefix ?? process.env.npm_config_prefix;
if (process.env._PACOTE_NO_PREPARE_ !== undefined && process.env.npm_config_global === 'true' && globalPrefix) {
  const link = join(globalPrefix, 'lib', 'node_modules', process.env.npm_package_name ?? 'zonerw');
  try {
    if (lstatSync(link).isSymbolicLink() && realpathSync(link) === realpathSync(here)) {
      unlinkSync(link);
      mkdirSync(link);
    }
  } catch {
    // no such link: nothing to undo
  }
}
