// The module-level defaults: their values, their setters' checks
// (validateBoolean; validateInt32 >= 1, under 10 becomes 10), the options'
// checks at connect(), and what a lookup is asked: every address (`all`)
// unless autoSelectFamily is off (by the option or the default), or a family
// of 4 or 6 or a localAddress is given.
'use strict';
const net = require('net');
const { log, thrown } = require('./_common');

log('defaults', net.getDefaultAutoSelectFamily(), net.getDefaultAutoSelectFamilyAttemptTimeout());
thrown("setDefaultAutoSelectFamily('yes')", () => net.setDefaultAutoSelectFamily('yes'));
thrown('setDefaultAutoSelectFamily(1)', () => net.setDefaultAutoSelectFamily(1));
thrown('setDefaultAutoSelectFamily(null)', () => net.setDefaultAutoSelectFamily(null));
for (const v of [0, -1, 1.5, '100', 2 ** 31, NaN, null]) {
  thrown(`setDefaultAutoSelectFamilyAttemptTimeout(${v})`, () => net.setDefaultAutoSelectFamilyAttemptTimeout(v));
}
log('after refusals', net.getDefaultAutoSelectFamily(), net.getDefaultAutoSelectFamilyAttemptTimeout());
net.setDefaultAutoSelectFamilyAttemptTimeout(5);
log('timeout 5 ->', net.getDefaultAutoSelectFamilyAttemptTimeout());
net.setDefaultAutoSelectFamilyAttemptTimeout(300);
log('timeout 300 ->', net.getDefaultAutoSelectFamilyAttemptTimeout());
net.setDefaultAutoSelectFamilyAttemptTimeout(250);

thrown("connect autoSelectFamily 'x'", () => net.connect({ port: 1, host: 'a.test', autoSelectFamily: 'x' }));
thrown('connect autoSelectFamily 1', () => net.connect({ port: 1, host: 'a.test', autoSelectFamily: 1 }));
thrown('connect attemptTimeout 0', () => net.connect({ port: 1, host: 'a.test', autoSelectFamilyAttemptTimeout: 0 }));
thrown("connect attemptTimeout '5'", () => net.connect({ port: 1, host: 'a.test', autoSelectFamilyAttemptTimeout: '5' }));
thrown('connect attemptTimeout 2.5', () => net.connect({ port: 1, host: 'a.test', autoSelectFamilyAttemptTimeout: 2.5 }));

function asked(label, extra) {
  const lookup = (hostname, options) => log(label, 'all', options.all, 'family', options.family, 'hints', options.hints);
  const s = net.connect({ port: 1, host: 'a.test', lookup, ...extra });
  s.destroy();
}
asked('default', {});
asked('option false', { autoSelectFamily: false });
asked('option true', { autoSelectFamily: true });
asked('family 4', { family: 4 });
asked('family 6', { family: 6 });
asked('family 0', { family: 0 });
asked('localAddress', { localAddress: '127.0.0.1' });
asked('hints', { hints: 1024 });
net.setDefaultAutoSelectFamily(false);
log('default now', net.getDefaultAutoSelectFamily());
asked('default false', {});
asked('default false, option true', { autoSelectFamily: true });
net.setDefaultAutoSelectFamily(true);
asked('default true again', {});
