import type { Dialect } from './dialect';
import type { PbxConfig } from './pbx-config';

const CALLFILENAME = 'CALLFILENAME=${STRFTIME(${EPOCH},,%Y%m%d-%H%M%S)}-${CALLERID(num)}-${ARG1}';

/**
 * The extensions.conf of the lab behind the captures (`test/fixtures/ami/asterisk-etc`, `test/fixtures/ami22/asterisk-etc`),
 * with the configured phones, trunk and DIDs: recording for every call (app_macro with
 * Monitor/MixMonitor on Asterisk 20, `Gosub(sub-recording)` with MixMonitor on 22),
 * `transfer-context`, the CRM's `crm-hold` / `crm-hold-wait` contexts and parking on 700.
 */
export function labDialplanConf(config: PbxConfig, dialect: Dialect): string {
  const tech = dialect.tech;
  const gosub = dialect.labRecording === 'gosub';
  // Internal and outbound calls: Monitor on 20 (two legs mixed at hangup), MixMonitor on 22.
  const recordInternal = gosub ? 'Gosub(sub-recording,s,1(${EXTEN}))' : 'Macro(recording,${EXTEN})';
  const recordDid = gosub ? 'Gosub(sub-recording,s,1(${EXTEN}))' : 'Macro(recording-mix,${EXTEN})';
  const trunkDial = tech === 'PJSIP' ? `PJSIP/\${EXTEN}@${config.trunk}` : `SIP/${config.trunk}/\${EXTEN}`;
  const out: string[] = ['[globals]', `INBOUND_DIAL_TIMEOUT = ${config.inboundDialTimeoutSec}`, ''];
  if (gosub) {
    out.push('[sub-recording]', `exten => s,1,Set(${CALLFILENAME})`, ' same => n,MixMonitor(${CALLFILENAME}.wav)', ' same => n,Set(CDR(userfield)=${CALLFILENAME})', ' same => n,Return()', '');
  } else {
    for (const [name, app] of [
      ['recording', 'Monitor(wav,${CALLFILENAME},m)'],
      ['recording-mix', 'MixMonitor(${CALLFILENAME}.wav)'],
    ]) {
      out.push(`[macro-${name}]`, `exten => s,1,Set(${CALLFILENAME})`, ` same => n,${app}`, ' same => n,Set(CDR(userfield)=${CALLFILENAME})', '');
    }
  }
  out.push('[parkedcalls]', 'exten => 700,1,Park()', '');

  out.push('[from-internal]', 'include => parkedcalls');
  for (const ext of config.extensions) out.push(`exten => ${ext.number},hint,${tech}/${ext.number}`);
  const internal = (pattern: string): void => {
    out.push(`exten => ${pattern},1,${recordInternal}`, ` same => n,Dial(${tech}/\${EXTEN},${config.internalDialTimeoutSec})`, ' same => n,Hangup()');
  };
  if (config.extensions.every((e) => /^\d{4}$/.test(e.number))) internal('_XXXX');
  else for (const ext of config.extensions) internal(ext.number);
  for (const pattern of ['_8X.', '_+X.']) {
    out.push(`exten => ${pattern},1,${recordInternal}`, ` same => n,Dial(${trunkDial},${config.internalDialTimeoutSec})`, ' same => n,Hangup()');
  }
  out.push('');

  out.push('[from-external]');
  for (const [did, target] of Object.entries(config.dids)) {
    if ('queue' in target) {
      out.push(`exten => ${did},1,NoOp(Queue call from \${CALLERID(all)})`, ` same => n,${recordDid}`, ` same => n,Queue(${target.queue},t)`, ' same => n,Hangup()');
    } else {
      out.push(
        `exten => ${did},1,NoOp(Inbound call from \${CALLERID(all)} to DID \${EXTEN})`,
        ` same => n,${recordDid}`,
        ` same => n,Dial(${tech}/${target.extension},\${INBOUND_DIAL_TIMEOUT},t)`,
        ' same => n,Hangup()',
      );
    }
  }
  out.push(
    '',
    '[transfer-context]',
    // External numbers go out through the trunk (the CRM transfers to numbers too); listed before `_X.` since this dialplan takes the first match.
    ...['_8X.', '_+X.'].flatMap((pattern) => [`exten => ${pattern},1,Dial(${trunkDial},${config.internalDialTimeoutSec})`, ' same => n,Hangup()']),
    `exten => _X.,1,Dial(${tech}/\${EXTEN})`,
    ' same => n,Hangup()',
    '',
    '[crm-hold]',
    'exten => s,1,Answer()',
    ' same => n,MusicOnHold()',
    ' same => n,Hangup()',
    '',
    '[crm-hold-wait]',
    'exten => s,1,Wait(3600)',
    ' same => n,Hangup()',
    '',
    '[default]',
    'exten => _X.,1,Hangup(21)',
    '',
  );
  return out.join('\n');
}
