# The module-level defaults: their values, their setters' checks
# (validateBoolean; validateInt32 >= 1, under 10 becomes 10), the options'
# checks at connect(), and what a lookup is asked: every address (`all`)
# unless auto_select_family is off (by the option or the default), or a
# family of 4 or 6 or a local_address is given.
from _common import log, run, thrown

import greennet


def fmt_js(v):
    if isinstance(v, float) and v != v:
        return 'NaN'
    if v is None:
        return 'null'
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


log('defaults', greennet.get_default_auto_select_family(),
    greennet.get_default_auto_select_family_attempt_timeout())
thrown("setDefaultAutoSelectFamily('yes')", lambda: greennet.set_default_auto_select_family('yes'))
thrown('setDefaultAutoSelectFamily(1)', lambda: greennet.set_default_auto_select_family(1))
thrown('setDefaultAutoSelectFamily(null)', lambda: greennet.set_default_auto_select_family(None))
for v in [0, -1, 1.5, '100', 2 ** 31, float('nan'), None]:
    thrown(f'setDefaultAutoSelectFamilyAttemptTimeout({fmt_js(v)})',
           lambda v=v: greennet.set_default_auto_select_family_attempt_timeout(v))
log('after refusals', greennet.get_default_auto_select_family(),
    greennet.get_default_auto_select_family_attempt_timeout())
greennet.set_default_auto_select_family_attempt_timeout(5)
log('timeout 5 ->', greennet.get_default_auto_select_family_attempt_timeout())
greennet.set_default_auto_select_family_attempt_timeout(300)
log('timeout 300 ->', greennet.get_default_auto_select_family_attempt_timeout())
greennet.set_default_auto_select_family_attempt_timeout(250)

thrown("connect autoSelectFamily 'x'",
       lambda: greennet.connect(port=1, host='a.test', auto_select_family='x'))
thrown('connect autoSelectFamily 1', lambda: greennet.connect(port=1, host='a.test', auto_select_family=1))
thrown('connect attemptTimeout 0',
       lambda: greennet.connect(port=1, host='a.test', auto_select_family_attempt_timeout=0))
thrown("connect attemptTimeout '5'",
       lambda: greennet.connect(port=1, host='a.test', auto_select_family_attempt_timeout='5'))
thrown('connect attemptTimeout 2.5',
       lambda: greennet.connect(port=1, host='a.test', auto_select_family_attempt_timeout=2.5))


def asked(label, **extra):
    def lookup(hostname, options, cb):
        log(label, 'all', options.get('all'), 'family', options.get('family'), 'hints', options.get('hints'))
    s = greennet.connect(port=1, host='a.test', lookup=lookup, **extra)
    s.destroy()


asked('default')
asked('option false', auto_select_family=False)
asked('option true', auto_select_family=True)
asked('family 4', family=4)
asked('family 6', family=6)
asked('family 0', family=0)
asked('localAddress', local_address='127.0.0.1')
asked('hints', hints=1024)
greennet.set_default_auto_select_family(False)
log('default now', greennet.get_default_auto_select_family())
asked('default false')
asked('default false, option true', auto_select_family=True)
greennet.set_default_auto_select_family(True)
asked('default true again')
run()
