// The third-party packages that esbuild put into the bundle, and their licence notices. The list
// comes from the esbuild metafile (every input under node_modules/ that put bytes into an output
// names its package), never
// from a hand-kept list: a dependency added, dropped or tree-shaken away changes it by itself.
// Used by scripts/bundle.mjs (dist/zonerw/THIRD-PARTY-LICENSES.txt, shipped in the npm tarball
// and the .deb) and scripts/deb.mjs (/usr/share/doc/zonerw/copyright).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** LICENSE, LICENSE.md, LICENCE, License, LICENSE-MIT, COPYING, NOTICE ... */
const LICENCE_FILE = /^(licen[cs]e|copying|notice)([.-][\w.-]*)?$/i;

/**
 * The packages whose files are inputs of the bundle, sorted by name: name, version, SPDX
 * licence, the folder it came from (relative, e.g. node_modules/commander), its licence files
 * with their text, and its copyright lines. Throws when a bundled package ships no licence file:
 * the bundle must not go out without a notice it has to carry.
 */
export function bundledPackages(metafile, root = '.') {
  const dirs = new Set();
  // inputs that put bytes into some output: a module esbuild read but tree-shook away entirely
  // is not in the bundle
  const used = Object.values(metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([path]) => path));
  for (const input of new Set(used)) {
    // the innermost package: node_modules/a/node_modules/@s/b/lib/x.js -> node_modules/a/node_modules/@s/b
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.replace(/\\/g, '/'));
    if (m) dirs.add(m[1]);
  }
  const packages = [...dirs].map((dir) => {
    const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    const files = readdirSync(join(root, dir))
      .filter((f) => LICENCE_FILE.test(f))
      .sort();
    if (files.length === 0) {
      throw new Error(`${pkg.name} ${pkg.version} (${dir}) is bundled but ships no LICENSE file: its notice cannot be reproduced`);
    }
    const licenceFiles = files.map((file) => ({ file: `${dir}/${file}`, text: readFileSync(join(root, dir, file), 'utf8').replace(/\r\n/g, '\n').trimEnd() }));
    const license = typeof pkg.license === 'string' ? pkg.license : pkg.license?.type ?? (Array.isArray(pkg.licenses) ? pkg.licenses.map((l) => l.type).join(' or ') : undefined);
    if (!license) throw new Error(`${pkg.name} ${pkg.version} (${dir}) names no licence in its package.json`);
    return {
      name: pkg.name,
      version: pkg.version,
      license,
      dir,
      homepage: pkg.homepage ?? repositoryUrl(pkg.repository),
      licenceFiles,
      copyright: copyrightLines(licenceFiles.map((f) => f.text).join('\n\n'), pkg),
    };
  });
  return packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.dir < b.dir ? -1 : 1));
}

function repositoryUrl(repo) {
  const url = typeof repo === 'string' ? repo : repo?.url;
  if (!url) return undefined;
  return url.replace(/^git\+/, '').replace(/\.git$/, '').replace(/^git:\/\//, 'https://').replace(/^github:/, 'https://github.com/');
}

function person(p) {
  if (!p) return undefined;
  if (typeof p === 'string') return p;
  return [p.name, p.email ? `<${p.email}>` : undefined].filter(Boolean).join(' ') || undefined;
}

/**
 * "Copyright (c) 2011 TJ Holowaychuk <tj@vision-media.ca>" lines of the licence text, each with
 * its continuation lines (retry lists its holders on the lines below), without the word
 * "Copyright" and "(c)". Licences without one (Blue Oak) fall back to the package.json author,
 * then to "<name> contributors".
 */
export function copyrightLines(text, pkg) {
  const lines = text.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*copyright\s*(\(c\)|©|\d)/i.test(lines[i])) continue;
    const first = lines[i].trim().replace(/^copyright\s*(\(c\)|©)?\s*/i, '').replace(/:$/, '');
    const more = [];
    while (i + 1 < lines.length && lines[i + 1].trim() !== '' && !/^\s*(permission|redistribution|all rights)/i.test(lines[i + 1])) {
      more.push(lines[++i].trim());
    }
    out.push([first, more.join(', ')].filter(Boolean).join(' '));
  }
  const unique = [...new Set(out.filter((l) => l !== ''))];
  if (unique.length > 0) return unique;
  const author = person(pkg.author) ?? (Array.isArray(pkg.contributors) && pkg.contributors.length > 0 ? pkg.contributors.map(person).join(', ') : undefined);
  return [author ?? `${pkg.name} contributors`];
}

/** The text of dist/zonerw/THIRD-PARTY-LICENSES.txt. */
export function thirdPartyNotices(packages) {
  const rule = (c) => c.repeat(78);
  const head = [
    'Third-party software in zonerw',
    '',
    'The files beside this one (the esbuild bundle of zonerw) contain the following packages.',
    'zonerw itself is under the MIT licence (LICENSE). This list is made from esbuild\'s',
    'metafile by scripts/bundle.mjs at build time; each package\'s licence text follows.',
    '',
    ...packages.map((p) => `  ${p.name} ${p.version}  ${p.license}${p.homepage ? `  ${p.homepage}` : ''}`),
    '',
  ];
  const bodies = packages.flatMap((p) => [
    rule('='),
    `${p.name} ${p.version} (${p.license})`,
    ...p.licenceFiles.flatMap((f) => [`from ${f.file}:`, rule('-'), f.text, '']),
  ]);
  return `${[...head, ...bodies].join('\n').trimEnd()}\n`;
}
