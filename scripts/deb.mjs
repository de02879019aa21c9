// `npm run deb`: builds zonerw_<version>_all.deb with dpkg-deb from the built tree (npm run deb
// runs `npm run build` first; this script builds nothing itself). Packaging sources are in
// packaging/debian/; what is generated here is generated from the tree, so it cannot drift:
//
//   /usr/bin/zonerw -> ../lib/zonerw/bin/zonerw.js   the npm launcher, as npm links it
//   /usr/lib/zonerw/bin/zonerw.js                    bin/zonerw.js (imports ../dist/zonerw/cli.js)
//   /usr/lib/zonerw/dist/zonerw/                     the esbuild bundle, THIRD-PARTY-LICENSES.txt
//   /usr/lib/zonerw/package.json                     name, version (--version reads ../../package.json
//                                                    from the bundle) and "type": "module"
//   /etc/zonerw/zonerw.toml                          conffile: zones.example/zonerw.toml with Debian paths
//   /lib/systemd/system/zonerw.{service,timer}       packaging/debian/, not enabled on install
//   /lib/systemd/system/zonerw-watch.service          packaging/debian/, not enabled on install
//   /usr/share/man/man8/zonerw.8.gz                  bin/zonerw.8, gzip -9n
//   /usr/share/doc/zonerw/copyright                  DEP-5: zonerw and every package in the bundle
//                                                    (from esbuild's metafile), each with its licence text
//   /usr/share/doc/zonerw/changelog.gz               packaging/debian/changelog (a native package)
//   /usr/share/doc/zonerw/README.md.gz, examples/    the README, the example base file
//   /usr/share/lintian/overrides/zonerw              packaging/debian/lintian-overrides
//   /usr/share/zonerw/zonerw.rules.yml               packaging/prometheus/: alerting rules
//   /usr/share/zonerw/zonerw-dashboard.json          packaging/grafana/: a Grafana dashboard
//
// Usage: node scripts/deb.mjs [--out DIR]   (default: the repository folder)
// Prints the path of the .deb. The file times are the changelog entry's date (or
// SOURCE_DATE_EPOCH), so the same tree gives the same .deb.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync, lutimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledPackages } from './licenses.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = (...p) => join(root, ...p);
const fail = (msg) => {
  console.error(`deb: ${msg}`);
  process.exit(1);
};

const args = process.argv.slice(2);
let out = root;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out' && args[i + 1]) out = resolve(args[++i]);
  else fail(`unknown argument ${args[i]} (usage: node scripts/deb.mjs [--out DIR])`);
}
for (const f of ['dist/zonerw/cli.js', 'dist/zonerw/THIRD-PARTY-LICENSES.txt', 'dist/zonerw-meta.json']) {
  if (!existsSync(src(f))) fail(`${f} is missing: build first (npm run deb does: npm run build && node scripts/deb.mjs)`);
}
for (const tool of ['dpkg-deb', 'gzip']) {
  if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0) fail(`${tool} is not installed (apt-get install dpkg gzip)`);
}

const pkg = JSON.parse(readFileSync(src('package.json'), 'utf8'));
// npm's 1.2.0-rc.1 is Debian's 1.2.0~rc.1 (sorts before 1.2.0); a "-" would read as a Debian revision
const version = pkg.version.replace('-', '~');
const debian = (f) => readFileSync(src('packaging', 'debian', f), 'utf8');

// the changelog's newest entry must be this version; its date is the build's timestamp
const changelog = debian('changelog');
const top = /^zonerw \(([^)]+)\) [\w-]+; urgency=\w+$/m.exec(changelog.split('\n')[0]);
if (!top) fail('packaging/debian/changelog: the first line is not "zonerw (VERSION) DIST; urgency=..."');
if (top[1] !== version) fail(`packaging/debian/changelog: the newest entry is ${top[1]}, package.json says ${version}: add an entry for ${version}`);
const trailer = /^ -- (.+ <[^>]+>) {2}(.+)$/m.exec(changelog);
if (!trailer || Number.isNaN(Date.parse(trailer[2]))) fail('packaging/debian/changelog: no " -- Name <email>  date" line after the newest entry');
const epoch = Number(process.env.SOURCE_DATE_EPOCH ?? Math.floor(Date.parse(trailer[2]) / 1000));

// --------------------------------------------------------------------------- the tree
const stage = mkdtempSync(join(tmpdir(), 'zonerw-deb-'));
const tree = join(stage, 'root');
const put = (path, content, mode = 0o644) => {
  const p = join(tree, path);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, content);
  chmodSync(p, mode);
};
const gzip = (buf) => {
  const r = spawnSync('gzip', ['-9n', '-c'], { input: buf, maxBuffer: 64 << 20 });
  if (r.status !== 0) fail(`gzip: ${r.stderr}`);
  return r.stdout;
};

try {
  // the program: the npm layout under /usr/lib/zonerw, so the launcher and --version work unchanged
  put('usr/lib/zonerw/bin/zonerw.js', readFileSync(src('bin', 'zonerw.js')), 0o755);
  for (const f of readdirSync(src('dist', 'zonerw')).sort()) put(`usr/lib/zonerw/dist/zonerw/${f}`, readFileSync(src('dist', 'zonerw', f)));
  put(
    'usr/lib/zonerw/package.json',
    `${JSON.stringify({ name: pkg.name, version: pkg.version, description: pkg.description, license: pkg.license, type: 'module', private: true }, null, 2)}\n`,
  );
  mkdirSync(join(tree, 'usr', 'bin'), { recursive: true });
  symlinkSync('../lib/zonerw/bin/zonerw.js', join(tree, 'usr', 'bin', 'zonerw'));

  put('etc/zonerw/zonerw.toml', debianConfig(readFileSync(src('zones.example', 'zonerw.toml'), 'utf8')));
  put('lib/systemd/system/zonerw.service', debian('zonerw.service'));
  put('lib/systemd/system/zonerw.timer', debian('zonerw.timer'));
  put('lib/systemd/system/zonerw-watch.service', debian('zonerw-watch.service'));
  put('usr/share/man/man8/zonerw.8.gz', gzip(readFileSync(src('bin', 'zonerw.8'))));

  const doc = 'usr/share/doc/zonerw';
  put(`${doc}/copyright`, copyright(bundledPackages(JSON.parse(readFileSync(src('dist', 'zonerw-meta.json'), 'utf8')), root)));
  put(`${doc}/changelog.gz`, gzip(Buffer.from(changelog)));
  put(`${doc}/README.md.gz`, gzip(readFileSync(src('README.md'))));
  for (const f of readdirSync(src('zones.example', 'base')).sort()) put(`${doc}/examples/base/${f}`, readFileSync(src('zones.example', 'base', f)));
  put('usr/share/lintian/overrides/zonerw', debian('lintian-overrides'));
  put('usr/share/zonerw/zonerw.rules.yml', readFileSync(src('packaging', 'prometheus', 'zonerw.rules.yml')));
  put('usr/share/zonerw/zonerw-dashboard.json', readFileSync(src('packaging', 'grafana', 'zonerw-dashboard.json')));

  // control files
  const files = walk(tree);
  const installedKiB = files.reduce((n, f) => n + (f.link ? 1 : Math.ceil(f.size / 1024) || 1), 0) + files.filter((f) => f.dir).length;
  put('DEBIAN/control', debian('control').replace('@VERSION@', version).replace('@INSTALLED_SIZE@', String(installedKiB)));
  put('DEBIAN/conffiles', '/etc/zonerw/zonerw.toml\n');
  put(
    'DEBIAN/md5sums',
    files
      .filter((f) => !f.dir && !f.link && !f.path.startsWith('etc/'))
      .map((f) => `${createHash('md5').update(readFileSync(join(tree, f.path))).digest('hex')}  ${f.path}\n`)
      .join(''),
  );
  for (const script of ['postinst', 'prerm', 'postrm']) put(`DEBIAN/${script}`, debian(script), 0o755);

  // modes: folders 755, files as put; times: the changelog's
  for (const f of walk(tree, true)) {
    const p = join(tree, f.path);
    if (f.dir) chmodSync(p, 0o755);
    if (f.link) lutimesSync(p, epoch, epoch);
    else utimesSync(p, epoch, epoch);
  }
  utimesSync(tree, epoch, epoch);

  mkdirSync(out, { recursive: true });
  const deb = join(out, `${pkg.name}_${version}_all.deb`);
  const r = spawnSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', tree, deb], {
    encoding: 'utf8',
    env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) },
  });
  if (r.status !== 0) fail(`dpkg-deb --build failed:\n${r.stdout}${r.stderr}`);
  const shown = relative(process.cwd(), deb);
  console.log(shown.startsWith('..') ? deb : shown);
  console.error(`deb: ${statSync(deb).size} bytes, ${files.filter((f) => !f.dir).length} files, Installed-Size ${installedKiB} KiB`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}

// -------------------------------------------------------------------------- helpers

/** Every entry under dir (relative paths), folders too; with withControl the DEBIAN folder too. */
function walk(dir, withControl = false) {
  const outList = [];
  const visit = (rel) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      if (!withControl && path === 'DEBIAN') continue;
      const st = lstatSync(join(dir, path));
      outList.push({ path, dir: st.isDirectory(), link: st.isSymbolicLink(), size: st.size });
      if (st.isDirectory()) visit(path);
    }
  };
  visit('');
  return outList;
}

/**
 * /etc/zonerw/zonerw.toml: the example config, every comment kept, with the header and the three
 * folders made Debian's. Fails when the example no longer has what is replaced, so a change to
 * the example cannot silently skip this.
 */
function debianConfig(example) {
  const header = `# zonerw configuration, from the zonerw package: /etc/zonerw/zonerw.toml, a conffile (your
# edits are kept on upgrade). Check an edit with \`zonerw check\`; every key is described in
# zonerw(8) and in the README's "Configuration reference" (/usr/share/doc/zonerw/README.md.gz).
#
# The folders below exist after install. Put your <zone>.base files in /etc/zonerw/base (an
# example: /usr/share/doc/zonerw/examples/base/), and point the nameserver's zone files at
# /var/lib/zonerw/zones (or at /var/lib/nsd/zones, /var/lib/bind/zones, /var/lib/knot/zones:
# folders the nameserver's AppArmor profile may already allow). zonerw.service lets zonerw
# write only those folders: for another zone_dir, see the top of
# /lib/systemd/system/zonerw.service.
`;
  const lines = example.split('\n');
  const firstBlank = lines.findIndex((l) => l.trim() === '');
  if (firstBlank < 0 || !lines.slice(0, firstBlank).every((l) => l.startsWith('#'))) fail('zones.example/zonerw.toml: expected a header comment, then a blank line');
  let text = [header.trimEnd(), ...lines.slice(firstBlank)].join('\n');
  // the three folders, their comments kept and aligned one column after the longest value
  const folders = { base_dir: '/etc/zonerw/base', zone_dir: '/var/lib/zonerw/zones', state_dir: '/var/lib/zonerw' };
  const found = Object.entries(folders).map(([key, value]) => {
    const re = new RegExp(`^${key}(\\s*)= "[^"]*" *(#.*)?$`, 'm');
    const m = re.exec(text);
    if (!m) fail(`zones.example/zonerw.toml: no ${key} = "..." line to make Debian's`);
    return { re, assignment: `${key}${m[1]}= ${JSON.stringify(value)}`, comment: m[2] };
  });
  const column = Math.max(...found.map((f) => f.assignment.length)) + 1;
  for (const f of found) text = text.replace(f.re, f.comment ? `${f.assignment.padEnd(column)} ${f.comment}` : f.assignment);
  return text;
}

/** DEP-5 names for the SPDX identifiers that differ. */
function dep5License(spdx) {
  return { MIT: 'Expat', 'BSD-2-Clause': 'BSD-2-clause', 'BSD-3-Clause': 'BSD-3-clause' }[spdx] ?? spdx;
}

/** A multi-line field's continuation: each line indented by one space, empty lines as " .". */
function field(text) {
  return text
    .split('\n')
    .map((l) => (l.trim() === '' ? ' .' : ` ${l.replace(/\s+$/, '')}`))
    .join('\n');
}

/** /usr/share/doc/zonerw/copyright in the machine-readable format 1.0. */
function copyright(packages) {
  const paragraphs = [
    `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: zonerw
Comment: /usr/lib/zonerw/dist/zonerw/ is an esbuild bundle of zonerw and of the npm
 packages listed below, each bundled from the folder its Files line names (the
 list is made from esbuild's metafile when the package is built). Their licence
 texts are also in /usr/lib/zonerw/dist/zonerw/THIRD-PARTY-LICENSES.txt.`,
    `Files: *
Copyright: 2026 zonerw contributors
License: Expat
Comment: the MIT licence (LICENSE in the source tree)`,
    ...packages.map((p) =>
      [
        `Files: ${p.dir}/*`,
        `Copyright:${field(p.copyright.join('\n'))}`,
        `License: ${dep5License(p.license)}`,
        field(p.licenceFiles.map((f) => f.text).join('\n\n')),
        `Comment: ${p.name} ${p.version}${p.homepage ? `, ${p.homepage}` : ''}`,
      ].join('\n'),
    ),
    `License: Expat\n${field(readFileSync(src('LICENSE'), 'utf8').trimEnd())}`,
  ];
  return `${paragraphs.join('\n\n')}\n`;
}
