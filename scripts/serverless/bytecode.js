'use strict';
// Compiles src/commerce to CPython 3.12 bytecode before the package is zipped, so a cold
// Lambda does not compile the service's own modules on every start: the task directory is
// read-only there, so bytecode that is not in the zip is compiled again by each new
// environment (about a third of a second for this package). The .pyc files are
// hash-checked: the zip does not keep mtimes, which would make timestamp-checked bytecode
// stale. Without a Python 3.12 (scripts/lambda-python says which it found) nothing is
// compiled and the zip carries sources only, as before.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function removeBytecode(folder) {
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const where = path.join(folder, entry.name);
    if (entry.isDirectory()) removeBytecode(where);
    else if (entry.name.endsWith('.cpython-312.pyc')) fs.rmSync(where);
  }
}

class CompileServiceBytecode {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:createDeploymentArtifacts': () => this.compile() };
  }

  compile() {
    const root = this.serverless.serviceDir;
    const python = path.join(root, 'scripts', 'lambda-python');
    const source = path.join(root, 'src', 'commerce');
    const version = execFileSync(python, ['-c', 'import sys; print(sys.version_info[:2])'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    // Stale files of modules since deleted would otherwise ride along.
    removeBytecode(source);
    if (version !== '(3, 12)') {
      this.serverless.cli.log('bytecode: no Python 3.12, the zip carries sources only');
      return;
    }
    execFileSync(
      python,
      ['-m', 'compileall', '-q', '-j', '0', '--invalidation-mode', 'checked-hash', source],
      { stdio: 'inherit' },
    );
    this.serverless.cli.log('bytecode: src/commerce compiled for CPython 3.12');
  }
}

module.exports = CompileServiceBytecode;
