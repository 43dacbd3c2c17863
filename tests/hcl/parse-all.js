#!/usr/bin/env node
// Parses every .tf file under the given folders with HashiCorp's HCL library (the Go parser,
// compiled to WebAssembly in @cdktf/hcl2json) and reports each file that does not parse.
//
//   node parse-all.js [--conventions] [--expect FILE.json] DIR|FILE...
//   node parse-all.js --probe          exit 0 when the pinned parser package is installed
//
// --conventions  also checks what terraform fmt/validate cannot here: every variable has a type
//                and a description, every output a description, no module under a
//                terraform/modules/ folder configures a provider, and every local module source
//                ("./..", "../..") names a folder that holds .tf files.
// --expect FILE  checks values read back exactly: FILE is JSON
//                {"<file relative to the first DIR>": [{"path": [...keys], "value": "..."}]}.
//                Values are compared after undoing Terraform JSON's template escapes ("$${" is a
//                literal "${", "%%{" a literal "%{"), i.e. with the string Terraform would use.
//
// Exit: 0 all good; 1 a file does not parse or a check failed (each named on stderr); 2 usage;
// 77 the parser package is missing (run `npm ci` in this folder).
'use strict';

const fs = require('fs');
const path = require('path');

const SKIP = 77;

function loadParser() {
  const pinned = require('./package.json').dependencies['@cdktf/hcl2json'];
  let installed;
  try {
    installed = require('@cdktf/hcl2json/package.json').version;
  } catch (e) {
    return { error: '@cdktf/hcl2json is not installed: run `npm ci` in ' + __dirname };
  }
  if (installed !== pinned) {
    return { error: `@cdktf/hcl2json ${installed} is installed but package.json pins ${pinned}: ` +
                    'run `npm ci` in ' + __dirname };
  }
  return { parse: require('@cdktf/hcl2json').parse };
}

function tfFiles(dir) {
  if (fs.statSync(dir).isFile()) return [dir];
  const out = [];
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory() && entry.name !== '.terraform' && entry.name !== 'node_modules') walk(p);
      else if (entry.isFile() && entry.name.endsWith('.tf')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

// Terraform JSON syntax keeps template escapes; undo them to get the value Terraform would use.
function templateLiteral(s) {
  return typeof s === 'string' ? s.replace(/([$%])\1\{/g, '$1{') : s;
}

// One block of a label in hcl2json output is a list of bodies (one per occurrence).
function bodies(doc, kind) {
  const out = [];
  for (const [name, list] of Object.entries(doc[kind] || {})) {
    for (const body of list) out.push([name, body]);
  }
  return out;
}

function checkConventions(file, doc) {
  const problems = [];
  for (const [name, body] of bodies(doc, 'variable')) {
    if (!('type' in body)) problems.push(`variable "${name}" has no type`);
    if (!body.description) problems.push(`variable "${name}" has no description`);
  }
  for (const [name, body] of bodies(doc, 'output')) {
    if (!body.description) problems.push(`output "${name}" has no description`);
  }
  const inModule = file.split(path.sep).join('/').includes('terraform/modules/');
  if (inModule && doc.provider) {
    problems.push(`configures provider(s) ${Object.keys(doc.provider).join(', ')}: ` +
                  'a reusable module must leave providers to its caller');
  }
  for (const [name, body] of bodies(doc, 'module')) {
    const source = body.source;
    if (typeof source !== 'string' || !(source.startsWith('./') || source.startsWith('../'))) continue;
    const target = path.resolve(path.dirname(file), source);
    if (!fs.existsSync(target) || tfFiles(target).length === 0) {
      problems.push(`module "${name}" source ${source} is not a folder with .tf files (${target})`);
    }
  }
  return problems;
}

function valueAt(doc, keys) {
  let v = doc;
  for (const k of keys) {
    if (v === null || typeof v !== 'object' || !(k in v)) return { missing: true };
    v = v[k];
  }
  return { value: v };
}

function checkExpected(root, expectFile, docs) {
  const problems = [];
  const expected = JSON.parse(fs.readFileSync(expectFile, 'utf8'));
  for (const [rel, checks] of Object.entries(expected)) {
    const file = path.join(root, rel);
    const doc = docs.get(file);
    if (!doc) {
      problems.push(`${file}: expected file was not rendered or did not parse`);
      continue;
    }
    for (const { path: keys, value } of checks) {
      const got = valueAt(doc, keys);
      if (got.missing) {
        problems.push(`${file}: nothing at ${JSON.stringify(keys)}`);
      } else if (templateLiteral(got.value) !== value) {
        problems.push(`${file}: ${JSON.stringify(keys)} reads back as ` +
                      `${JSON.stringify(templateLiteral(got.value))}, expected ${JSON.stringify(value)}`);
      }
    }
  }
  return problems;
}

function parseArgs(argv) {
  const opts = { conventions: false, expect: null, probe: false, dirs: [] };
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--conventions') opts.conventions = true;
    else if (argv[i] === '--probe') opts.probe = true;
    else if (argv[i] === '--expect' && i + 1 < argv.length) opts.expect = argv[++i];
    else if (argv[i].startsWith('--')) return null;
    else opts.dirs.push(argv[i]);
  }
  return opts.probe || opts.dirs.length > 0 ? opts : null;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!opts) {
    console.error('usage: node parse-all.js [--conventions] [--expect FILE.json] DIR... | --probe');
    return 2;
  }
  const parser = loadParser();
  if (parser.error) {
    console.error(parser.error);
    return SKIP;
  }
  if (opts.probe) return 0;

  const docs = new Map();
  let failures = 0;
  let count = 0;
  for (const dir of opts.dirs) {
    if (!fs.existsSync(dir)) {
      console.error(`FAIL ${dir}: does not exist`);
      ++failures;
      continue;
    }
    const files = tfFiles(dir);
    if (files.length === 0) {
      console.error(`FAIL ${dir}: no .tf files`);
      ++failures;
    }
    for (const file of files) {
      ++count;
      let doc;
      try {
        doc = await parser.parse(path.basename(file), fs.readFileSync(file, 'utf8'));
      } catch (e) {
        console.error(`FAIL ${file}: ${String(e && e.message ? e.message : e)}`);
        ++failures;
        continue;
      }
      docs.set(file, doc);
      for (const p of opts.conventions ? checkConventions(file, doc) : []) {
        console.error(`FAIL ${file}: ${p}`);
        ++failures;
      }
    }
  }
  if (opts.expect) {
    for (const p of checkExpected(opts.dirs[0], opts.expect, docs)) {
      console.error(`FAIL ${p}`);
      ++failures;
    }
  }
  console.log(`${count} .tf file(s) parsed, ${failures} problem(s)`);
  return failures === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  console.error(e);
  process.exit(1);
});
