import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { AmiConnection } from '../connection/ami-connection';
import { AmiTestClient, AmiTestServer, FULLY_BOOTED } from '../connection/ami-test-server';
import {
  AmiActionError,
  AmiActionTimeoutError,
  AmiActionValidationError,
  AmiConnectionLostError,
  AmiNotConnectedError,
} from '../protocol/ami-errors';
import { amiFixturePath } from '../protocol/ami-fixtures';
import { AmiMessage } from '../protocol/ami-message';
import { AmiActionGateway } from './ami-action-gateway';
import { amiActions } from './ami-actions';
import { encodeAction } from '../protocol/ami-action';

/**
 * The raw bytes Asterisk sent for one of the lab's actions in actions_misc.ami
 * (the response and every list event carrying its ActionID), re-addressed to `actionId`.
 */
const ACTIONS_MISC = readFileSync(amiFixturePath('actions_misc.ami'), 'latin1');
function capturedAnswer(labActionId: string, actionId: string): string {
  return ACTIONS_MISC.split('\r\n\r\n')
    .filter((frame) => frame.includes(`\r\nActionID: ${labActionId}\r\n`) || frame.endsWith(`\r\nActionID: ${labActionId}`))
    .filter((frame) => !frame.startsWith('Event: OriginateResponse'))
    .map((frame) => frame.replace(`ActionID: ${labActionId}`, `ActionID: ${actionId}`) + '\r\n\r\n')
    .join('');
}

/** Answers an action with the capture's bytes for the lab action `labActionId`. */
function replayAnswer(labActionId: string, interleave = '') {
  return (action: AmiMessage, client: AmiTestClient) => {
    const answer = capturedAnswer(labActionId, action.get('ActionID')!);
    // Unrelated events in between must not be taken as list items.
    const cut = answer.indexOf('\r\n\r\n') + 4;
    client.write(answer.slice(0, cut) + interleave + answer.slice(cut));
  };
}

const UNRELATED = 'Event: VarSet\r\nPrivilege: dialplan,all\r\nChannel: SIP/1001-00000045\r\nVariable: X\r\nValue: 1\r\n\r\n';

let server: AmiTestServer;
let connection: AmiConnection;
let gateway: AmiActionGateway;

async function setUp(start = true): Promise<void> {
  server = await new AmiTestServer({ afterLogin: FULLY_BOOTED }).listen();
  connection = new AmiConnection({
    server: { id: 'pbx-a', host: '127.0.0.1', port: server.port, username: 'crm', secret: 's3cr3t', tls: false },
    events: 'off',
    pingIntervalMs: 60_000,
    reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
  });
  gateway = new AmiActionGateway(connection, { timeoutMs: 3000 });
  if (start) {
    connection.start();
    await connection.ready();
  }
}

afterEach(async () => {
  await connection.close();
  await server.close();
});

describe('AmiActionGateway with real answers from actions_misc.ami', () => {
  beforeEach(() => setUp());

  it('collects the CoreShowChannels list by ActionID up to CoreShowChannelsComplete', async () => {
    server.handle('CoreShowChannels', replayAnswer('crmlab-2', UNRELATED));
    const result = await gateway.send(amiActions.coreShowChannels());
    expect(result.events.map((e) => [e.name, e.get('Channel'), e.get('Linkedid')])).toEqual([
      ['CoreShowChannel', 'SIP/1001-00000045', '1795696872.70'],
      ['CoreShowChannel', 'SIP/provider-00000044', '1795696872.70'],
      ['CoreShowChannel', 'SIP/provider-00000047', '1795696873.72'],
      ['CoreShowChannel', 'SIP/1002-00000046', '1795696873.72'],
    ]);
    expect(result.message).toBe('Channels will follow');
    expect(result.complete?.name).toBe('CoreShowChannelsComplete');
    expect(result.complete?.get('ListItems')).toBe(String(result.events.length));
    expect(result.events.every((e) => e.pbxId === 'pbx-a')).toBe(true);
    expect((await gateway.coreShowChannels()).map((e) => e.get('Uniqueid'))).toEqual(['1795696872.71', '1795696872.70', '1795696873.73', '1795696873.72']);
  });

  it('collects Status events whose ActionID comes last', async () => {
    server.handle('Status', replayAnswer('crmlab-3'));
    const events = await gateway.status();
    expect(events).toHaveLength(4);
    expect(events.map((e) => e.getAny('BridgeId', 'BridgeID'))).toEqual([
      '0fd18eeb-ef9c-4910-a756-ac3d26271ee6',
      '0fd18eeb-ef9c-4910-a756-ac3d26271ee6',
      '6ba8e286-4ed4-4cb3-b650-1512f14c39dc',
      '6ba8e286-4ed4-4cb3-b650-1512f14c39dc',
    ]);
  });

  it('keeps every Command output line', async () => {
    server.handle('Command', replayAnswer('crmlab-5'));
    const output = await gateway.command('core show channels');
    expect(output).toHaveLength(8);
    expect(output.slice(-3)).toEqual(['4 active channels', '2 active calls', '36 calls processed']);
    expect(server.actionsNamed('Command')[0].get('Command')).toBe('core show channels');
  });

  it('returns a Getvar value', async () => {
    server.handle('Getvar', replayAnswer('crmlab-7'));
    await expect(gateway.getvar({ channel: 'SIP/provider-00000044', variable: 'CALLFILENAME' })).resolves.toBe('20261126-124112-+74951234567-74959876543');
  });

  it('rejects Response: Error with Asterisk\'s message in a typed error', async () => {
    server.handle('Redirect', replayAnswer('crmlab-9'));
    const error = await gateway.redirect({ channel: 'SIP/1009-0000ffff', context: 'transfer-context', exten: '1002', priority: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmiActionError);
    expect(error).toMatchObject({ code: 'AMI_ACTION_FAILED', action: 'Redirect', asteriskMessage: 'Channel does not exist: SIP/1009-0000ffff' });
  });

  it('resolves Originate on "queued" and lets the caller match the later OriginateResponse by ActionID', async () => {
    server.handle('Originate', replayAnswer('crmlab-11'));
    const result = await gateway.originate({
      channel: 'SIP/1003',
      context: 'from-internal',
      exten: '1002',
      priority: 1,
      callerId: '"CRM Click2Call" <1003>',
      timeoutMs: 30000,
      channelId: '1795696803.900',
      otherChannelId: '1795696803.901',
      variables: { CRM_CALL_ID: 'c2c-000123' },
    });
    expect(result.message).toBe('Originate successfully queued');
    expect(result.actionId).toBe(server.actionsNamed('Originate')[0].get('ActionID'));
  });
});

describe('AmiActionGateway correlation and safety', () => {
  beforeEach(() => setUp());

  it('gives two concurrent actions each its own response when the PBX answers in reverse order', async () => {
    const held: Array<{ action: AmiMessage; client: AmiTestClient }> = [];
    server.handle('Getvar', (action, client) => {
      held.push({ action, client });
      if (held.length < 2) return;
      for (const { action: a, client: c } of held.reverse()) {
        c.send([
          ['Response', 'Success'],
          ['ActionID', a.get('ActionID')!],
          ['Variable', a.get('Variable')!],
          ['Value', `value-of-${a.get('Variable')}`],
        ]);
      }
    });
    const [first, second] = await Promise.all([gateway.getvar({ variable: 'FIRST' }), gateway.getvar({ variable: 'SECOND' })]);
    expect(first).toBe('value-of-FIRST');
    expect(second).toBe('value-of-SECOND');
    const ids = server.actionsNamed('Getvar').map((a) => a.get('ActionID'));
    expect(new Set(ids).size).toBe(2);
  });

  it('keeps 200 concurrent actions apart when answered in a shuffled order', async () => {
    const held: AmiMessage[] = [];
    server.handle('Getvar', (action, client) => {
      held.push(action);
      if (held.length < 200) return;
      const order = fc.sample(fc.shuffledSubarray(held, { minLength: held.length, maxLength: held.length }), { numRuns: 1, seed: 42 })[0];
      client.write(order.map((a) => `Response: Success\r\nActionID: ${a.get('ActionID')}\r\nValue: ${a.get('Variable')}\r\n\r\n`).join(''));
    });
    const names = Array.from({ length: 200 }, (_, i) => `V${i}`);
    const values = await Promise.all(names.map((variable) => gateway.getvar({ variable })));
    expect(values).toEqual(names);
  });

  it('refuses CR/LF/NUL injection before a byte is sent', async () => {
    const client = await server.nextClient(0);
    const bytesBefore = client.socket.bytesRead;
    const attempts = [
      gateway.redirect({ channel: 'SIP/1001-0000000a', context: 'transfer-context\r\nAction: Originate', exten: '1002', priority: 1 }),
      gateway.originate({ channel: 'SIP/1001', context: 'from-internal', exten: '1002', priority: 1, callerId: 'x\nApplication: System' }),
      gateway.setvar({ channel: 'SIP/1001-0000000a', variable: 'X', value: 'a\0b' }),
      gateway.queuePause({ interface: 'SIP/1001', paused: true, reason: 'lunch\r\n\r\nAction: Hangup' }),
      gateway.command('core show channels\r\n\r\nAction: Command\r\nCommand: core restart now'),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toBeInstanceOf(AmiActionValidationError);
    await gateway.ping();
    expect(client.socket.bytesRead - bytesBefore).toBe(Buffer.byteLength(`Action: Ping\r\nActionID: ${server.actionsNamed('Ping')[0].get('ActionID')}\r\n\r\n`));
    expect(server.actions.map((a) => a.name)).toEqual(['Login', 'Ping']);
  });

  it('refuses CR, LF or NUL in any string parameter of any typed action (property)', async () => {
    const cases: Array<{ field: string; call: (bad: string) => Promise<unknown> }> = [
      { field: 'channel', call: (bad) => gateway.hangup({ channel: `SIP/1001-${bad}` }) },
      { field: 'exten', call: (bad) => gateway.blindTransfer({ channel: 'SIP/1001-1', context: 'transfer-context', exten: bad }) },
      { field: 'extraContext', call: (bad) => gateway.redirect({ channel: 'SIP/a-1', context: 'c', exten: 's', priority: 1, extraChannel: 'SIP/b-1', extraContext: bad }) },
      { field: 'callerId', call: (bad) => gateway.originate({ channel: 'SIP/1001', context: 'c', exten: '1', priority: 1, callerId: bad }) },
      { field: 'variable value', call: (bad) => gateway.originate({ channel: 'SIP/1001', application: 'Playback', data: 'beep', variables: { CRM_CALL_ID: bad } }) },
      { field: 'data', call: (bad) => gateway.originate({ channel: 'SIP/1001', application: 'Playback', data: bad }) },
      { field: 'file', call: (bad) => gateway.mixMonitor({ channel: 'SIP/1001-1', file: bad }) },
      { field: 'tone', call: (bad) => gateway.bridge({ channel1: 'SIP/a-1', channel2: 'SIP/b-1', tone: bad as 'no' }) },
      { field: 'reason', call: (bad) => gateway.queuePause({ interface: 'SIP/1001', paused: false, reason: bad }) },
      { field: 'value', call: (bad) => gateway.setvar({ variable: 'X', value: bad }) },
      { field: 'variable', call: (bad) => gateway.getvar({ variable: bad }) },
      { field: 'command', call: (bad) => gateway.command(bad) },
      { field: 'timeoutChannel', call: (bad) => gateway.park({ channel: 'SIP/a-1', timeoutChannel: bad }) },
      { field: 'atxfer exten', call: (bad) => gateway.atxfer({ channel: 'SIP/a-1', exten: bad }) },
      { field: 'stopMixMonitor id', call: (bad) => gateway.stopMixMonitor({ channel: 'SIP/a-1', mixMonitorId: bad }) },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.nat(cases.length - 1),
        fc.string({ maxLength: 12 }),
        fc.constantFrom('\r', '\n', '\0', '\r\n', '\r\n\r\n'),
        fc.string({ maxLength: 12 }),
        async (which, before, bad, after) => {
          await expect(cases[which].call(`${before}${bad}${after}x`)).rejects.toBeInstanceOf(AmiActionValidationError);
        },
      ),
      { numRuns: 300 },
    );
    expect(server.actions.map((a) => a.name)).toEqual(['Login']);
  });

  it('times out an unanswered action with a typed error', async () => {
    server.handle('Hangup', () => undefined);
    const error = await gateway.hangup({ channel: 'SIP/1001-0000000a', cause: 16 }, { timeoutMs: 80 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmiActionTimeoutError);
    expect(error).toMatchObject({ code: 'AMI_ACTION_TIMEOUT', action: 'Hangup', timeoutMs: 80 });
  });

  it('writes Originate, Redirect with ExtraChannel and Bridge exactly as Asterisk expects', async () => {
    for (const name of ['Originate', 'Redirect', 'Bridge']) {
      server.handle(name, (a, c) => c.send([['Response', 'Success'], ['ActionID', a.get('ActionID')!]]));
    }
    await gateway.originate({
      channel: 'SIP/1001',
      context: 'from-internal',
      exten: '1002',
      priority: 1,
      callerId: '"CRM Click2Call" <1001>',
      timeoutMs: 30000,
      channelId: 'c2c-1.1',
      otherChannelId: 'c2c-1.2',
      variables: { CRM_CALL_ID: 'c2c-000123', __INHERITED: 7 },
    });
    await gateway.redirect({
      channel: 'SIP/provider-00000048',
      context: 'crm-hold',
      exten: 's',
      priority: 1,
      extraChannel: 'SIP/1001-00000049',
      extraContext: 'crm-hold-wait',
      extraExten: 's',
      extraPriority: 1,
    });
    await gateway.bridge({ channel1: 'SIP/provider-00000048', channel2: 'SIP/1001-00000049', tone: 'no' });
    const fieldsOf = (name: string) => {
      const a = server.actionsNamed(name)[0];
      return a.keys.map((k, i) => `${k}: ${a.values[i]}`).filter((l) => !l.startsWith('ActionID'));
    };
    expect(fieldsOf('Originate')).toEqual([
      'Action: Originate',
      'Channel: SIP/1001',
      'Context: from-internal',
      'Exten: 1002',
      'Priority: 1',
      'Timeout: 30000',
      'CallerID: "CRM Click2Call" <1001>',
      'Async: true',
      'ChannelId: c2c-1.1',
      'OtherChannelId: c2c-1.2',
      'Variable: CRM_CALL_ID=c2c-000123',
      'Variable: __INHERITED=7',
    ]);
    expect(fieldsOf('Redirect')).toEqual([
      'Action: Redirect',
      'Channel: SIP/provider-00000048',
      'Context: crm-hold',
      'Exten: s',
      'Priority: 1',
      'ExtraChannel: SIP/1001-00000049',
      'ExtraContext: crm-hold-wait',
      'ExtraExten: s',
      'ExtraPriority: 1',
    ]);
    expect(fieldsOf('Bridge')).toEqual(['Action: Bridge', 'Channel1: SIP/provider-00000048', 'Channel2: SIP/1001-00000049', 'Tone: no']);
  });
});

describe('AmiActionGateway across a reconnect', () => {
  beforeEach(() => setUp());

  it('never re-sends a non-idempotent action: it fails as outcome unknown', async () => {
    server.handle('Hangup', () => undefined);
    const hangup = gateway.hangup({ channel: 'SIP/1001-0000000a' });
    await server.nextAction('Hangup');
    const reconnected = connection.next('reconnected', { timeoutMs: 5000 });
    server.dropClients();
    const error = await hangup.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmiConnectionLostError);
    await reconnected;
    await gateway.ping();
    expect(server.actionsNamed('Hangup')).toHaveLength(1);
  });

  it('re-sends an idempotent read after the reconnect and resolves it', async () => {
    let getvars = 0;
    server.handle('Getvar', (action, client) => {
      getvars += 1;
      if (getvars === 1) return; // the first copy is lost with the connection
      client.send([['Response', 'Success'], ['ActionID', action.get('ActionID')!], ['Value', 'after-reconnect']]);
    });
    const value = gateway.getvar({ channel: 'SIP/1001-0000000a', variable: 'CALLFILENAME' });
    await server.nextAction('Getvar');
    server.dropClients();
    await expect(value).resolves.toBe('after-reconnect');
    const [first, second] = server.actionsNamed('Getvar');
    expect(first.get('ActionID')).not.toBe(second.get('ActionID'));
  });
});

describe('AmiActionGateway before the first login', () => {
  beforeEach(() => setUp(false));

  it('refuses a non-idempotent action at once (nothing was sent) but holds a read until logged in', async () => {
    await expect(gateway.hangup({ channel: 'SIP/1001-0000000a' })).rejects.toBeInstanceOf(AmiNotConnectedError);
    const pong = gateway.ping();
    connection.start();
    await expect(pong).resolves.toMatchObject({ action: 'Ping' });
    expect(server.actionsNamed('Hangup')).toHaveLength(0);
  });
});

describe('amiActions builders', () => {
  it('refuse shapes that would widen the action', () => {
    expect(() => amiActions.hangup({ channel: '/SIP\\/.*/' })).toThrow(AmiActionValidationError);
    expect(() => amiActions.originate({ channel: 'SIP/1001', application: 'System', data: 'rm -rf /' })).toThrow(/runs commands/);
    expect(() => amiActions.originate({ channel: 'SIP/1001', application: 'Playback', context: 'x', exten: '1', priority: 1 } as never)).toThrow(/either/);
    expect(() => amiActions.originate({ channel: 'SIP/1001', context: 'c', exten: '1', priority: 1, variables: { A: 'x,B=y' } })).toThrow(/comma/);
    expect(() => amiActions.mixMonitor({ channel: 'SIP/1001-1', file: '/var/spool/asterisk/monitor/../../../etc/passwd' })).toThrow(/\.\./);
    expect(() => amiActions.mixMonitor({ channel: 'SIP/1001-1', options: 'r(/etc/x)' })).toThrow(AmiActionValidationError);
    expect(() => amiActions.redirect({ channel: 'SIP/a-1', context: 'c', exten: 's', priority: 1, extraContext: 'd' })).toThrow(/ExtraChannel/);
    expect(() => amiActions.hangup({ channel: 'SIP/a-1', cause: 300 })).toThrow(/0 to 127/);
    expect(() => amiActions.redirect({ channel: 'SIP/a-1', context: 'c d', exten: 's', priority: 1 })).toThrow(AmiActionValidationError);
  });

  it('ask MixMonitor for its MixMonitorID with i(<variable>) and take nothing else in parentheses; CancelAtxfer names the transferer', () => {
    const bytes = (spec: ReturnType<typeof amiActions.mixMonitor>) => encodeAction(spec, 'crm-1').toString('utf8');
    expect(bytes(amiActions.mixMonitor({ channel: 'PJSIP/1001-0000000b', file: 'crm-ami-1796428713.11.wav', options: 'b', idVariable: 'CRM_MIXMON_ID' }))).toBe(
      'Action: MixMonitor\r\nActionID: crm-1\r\nChannel: PJSIP/1001-0000000b\r\nFile: crm-ami-1796428713.11.wav\r\nOptions: bi(CRM_MIXMON_ID)\r\n\r\n',
    );
    expect(bytes(amiActions.mixMonitor({ channel: 'SIP/1001-00000015', idVariable: 'X' }))).toBe('Action: MixMonitor\r\nActionID: crm-1\r\nChannel: SIP/1001-00000015\r\nOptions: i(X)\r\n\r\n');
    expect(() => amiActions.mixMonitor({ channel: 'SIP/1001-1', idVariable: 'X)r(/etc/x' })).toThrow(AmiActionValidationError);
    expect(() => amiActions.mixMonitor({ channel: 'SIP/1001-1', idVariable: 'CDR(userfield)' })).toThrow(AmiActionValidationError);
    expect(bytes(amiActions.cancelAtxfer({ channel: 'SIP/1001-00000003' }))).toBe('Action: CancelAtxfer\r\nActionID: crm-1\r\nChannel: SIP/1001-00000003\r\n\r\n');
    expect(amiActions.cancelAtxfer({ channel: 'SIP/1001-00000003' }).idempotent).toBe(false);
  });

  it('mark only reads as idempotent', () => {
    const reads = [amiActions.ping(), amiActions.getvar({ variable: 'X' }), amiActions.coreShowChannels(), amiActions.status()];
    const writes = [
      amiActions.hangup({ channel: 'SIP/a-1' }),
      amiActions.originate({ channel: 'SIP/1001', context: 'c', exten: '1', priority: 1 }),
      amiActions.redirect({ channel: 'SIP/a-1', context: 'c', exten: 's', priority: 1 }),
      amiActions.blindTransfer({ channel: 'SIP/a-1', context: 'c', exten: '1' }),
      amiActions.atxfer({ channel: 'SIP/a-1', exten: '1' }),
      amiActions.bridge({ channel1: 'SIP/a-1', channel2: 'SIP/b-1' }),
      amiActions.park({ channel: 'SIP/a-1' }),
      amiActions.mixMonitor({ channel: 'SIP/a-1' }),
      amiActions.stopMixMonitor({ channel: 'SIP/a-1' }),
      amiActions.mixMonitorMute({ channel: 'SIP/a-1', direction: 'both', state: true }),
      amiActions.monitor({ channel: 'SIP/a-1', file: 'x', format: 'wav', mix: true }),
      amiActions.stopMonitor({ channel: 'SIP/a-1' }),
      amiActions.queuePause({ interface: 'SIP/1001', paused: true }),
      amiActions.setvar({ variable: 'X', value: '1' }),
      amiActions.command('core show channels'),
    ];
    expect(reads.every((a) => a.idempotent)).toBe(true);
    expect(writes.filter((a) => a.idempotent)).toEqual([]);
  });
});
