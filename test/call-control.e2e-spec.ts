import type { CallControlAck, CallControlConfirmation, CallDetail, CallView } from '@app/contracts';
import { DataSource } from 'typeorm';
import { startPbxSim, type PbxSim } from '../apps/pbx-sim/src/pbx-sim';
import type { PlaceCallRequest } from '../apps/pbx-sim/src/engine/call-placer';
import type { SimChannel } from '../apps/pbx-sim/src/engine/sim-channel';
import { AmiIngestService } from '../apps/server/src/call-ingest';
import { CallControlExecutor } from '../apps/server/src/call-control';
import { amiAction, AmiTap } from './support/ami-tap';
import { callDetail, eventually, startCallsE2e, type CallsE2e } from './support/calls-e2e';
import { createUser } from './support/test-app';
import { RealtimeClient } from './support/realtime-client';
import { listen } from './support/realtime-e2e';

const PBX = 'ctl';
/** A second PBX, configured to record with the Monitor action (Asterisk <= 20 without the system class). */
const MONITOR_PBX = 'ctl-mon';
const AMI_USER = { username: 'ctl', secret: 'ctl-secret' };
/** Phones no call scripts: they answer after 300 ms and talk until someone hangs up. */
const ANSWERING = { answerProbability: 1, ringMs: { min: 300, max: 300 }, talkMs: { median: 600_000, sigma: 0, min: 600_000, max: 600_000 }, calleeHangsUpProbability: 1 };

/**
 * Call control end to end, role all: REST and Socket.IO commands of real users, the app's own
 * AMI logins to pbx-sim through a tap that keeps every byte they send, the database and the
 * pushes clients receive. Each command's exact AMI action, the simulator's resulting state,
 * the stored timeline and the pushes are checked; refusals must send nothing.
 */
describe('call control', () => {
  let e2e: CallsE2e;
  let sim: PbxSim;
  let tap: AmiTap;
  let url: string;
  const clients: RealtimeClient[] = [];
  const connect = async (who: 'alice' | 'bob' | 'sue'): Promise<RealtimeClient> => {
    const client = await RealtimeClient.connect(url, e2e[who].token, e2e[who].id);
    clients.push(client);
    return client;
  };
  const post = (path: string, token: string, body?: object) => {
    const req = e2e.testApp.http().post(`/api${path}`).set('Authorization', `Bearer ${token}`);
    return body === undefined ? req : req.send(body);
  };
  const channel = (peer: string): SimChannel => {
    const found = sim.engine.liveChannels().find((c) => c.peer.name === peer);
    if (!found) throw new Error(`no live channel of ${peer}`);
    return found;
  };
  /** An inbound call to `extension`'s DID, answered and talking, stored and live in the API. */
  const talkingCall = async (request: Partial<PlaceCallRequest> = {}): Promise<{ call: CallView; linkedid: string; caller: string }> => {
    const placed = sim.placeCall({ kind: 'inbound', from: '+74951234567', to: '74959876543', ringMs: 300, talkMs: 600_000, hangupBy: 'caller', ...request });
    const call = await eventually('the call answered in the API', async () => {
      const active = (await e2e.testApp.http().get('/api/calls/active').set('Authorization', `Bearer ${e2e.sue.token}`).expect(200)).body as CallView[];
      return active.find((c) => c.linkedid === placed.linkedid && c.status === 'answered');
    });
    return { call, linkedid: placed.linkedid, caller: placed.channel };
  };
  const timeline = async (id: string): Promise<string[]> => (await callDetail(e2e, e2e.sue.token, id)).timeline.map((step) => `${step.type}${'by' in step.data ? `:${step.data.by}` : ''}`);
  const stored = (id: string): Promise<CallDetail> => callDetail(e2e, e2e.sue.token, id);
  const confirmed = (ack: CallControlAck): CallControlConfirmation => {
    if (!ack.ok) throw new Error(`refused: ${JSON.stringify(ack.error)}`);
    return ack;
  };

  beforeAll(async () => {
    e2e = await startCallsE2e({ CALL_CONTROL_PHONE_CHANNEL: 'SIP/{extension}', CALL_CONTROL_CONFIRM_TIMEOUT: '3s', CALL_CONTROL_RECORDING: `mixmonitor,${MONITOR_PBX}=monitor` });
    url = await listen(e2e.testApp);
    sim = await startPbxSim({ port: 0, users: [AMI_USER], traffic: null, behaviour: ANSWERING, config: { recordingsPath: null } });
    tap = await new AmiTap(sim.port).start();
    await e2e.testApp.app.get(AmiIngestService, { strict: false }).add({ id: PBX, host: '127.0.0.1', port: tap.port, ...AMI_USER, tls: false });
    // The ingest logged in with events on and asked for the listing: from here on no event is missed.
    await eventually('the ingest following the PBX', async () => sim.stats.ami.actions >= 2 && e2e.testApp.app.get(CallControlExecutor, { strict: false }).controlled.includes(PBX));
  }, 60_000);

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    // A test that failed half-way leaves its call up: the next one starts with none.
    for (const ch of sim.engine.liveChannels()) sim.engine.control.amiHangup(ch, 16);
    await eventually('no call left in the simulator', async () => sim.engine.liveChannels().length === 0);
  });

  afterAll(async () => {
    await e2e?.testApp.app.get(AmiIngestService, { strict: false }).remove(PBX);
    await tap?.stop();
    await sim?.close();
    await e2e?.close();
  });

  it('holds and takes off hold with the capture\'s dual Redirect and Bridge, confirmed, stored with the hold\'s length and pushed', async () => {
    const alice = await connect('alice');
    const { call, caller } = await talkingCall();
    const agent = channel('1001').name;

    let mark = tap.mark;
    const held = confirmed(await alice.socket.emitWithAck('hold-call', { callId: call.id, isHold: true }));
    expect(held).toMatchObject({ callId: call.id, pbxId: PBX, confirmed: { kind: 'held', by: 'server' } });
    expect(tap.commandsSince(mark)).toEqual([
      amiAction('Redirect', [
        ['Channel', caller],
        ['Context', 'crm-hold'],
        ['Exten', 's'],
        ['Priority', 1],
        ['ExtraChannel', agent],
        ['ExtraContext', 'crm-hold-wait'],
        ['ExtraExten', 's'],
        ['ExtraPriority', 1],
      ]),
    ]);
    expect([channel('provider').context, channel('provider').app, channel('provider').bridge]).toEqual(['crm-hold', 'MusicOnHold', null]);
    expect([channel('1001').context, channel('1001').app, channel('1001').bridge]).toEqual(['crm-hold-wait', 'Wait', null]);
    await alice.next('call:updated', (e) => e.call.id === call.id && e.step.type === 'held');
    expect((await stored(call.id)).call.status).toBe('on_hold');

    await new Promise((resolve) => setTimeout(resolve, 1100));
    mark = tap.mark;
    const unheld = confirmed(await alice.socket.emitWithAck('hold-call', { callId: call.id, isHold: false }));
    expect(unheld.confirmed).toEqual({ kind: 'unheld', seconds: 1 });
    expect(tap.commandsSince(mark)).toEqual([amiAction('Bridge', [['Channel1', caller], ['Channel2', agent], ['Tone', 'no']])]);
    expect(channel('provider').bridge).not.toBeNull();
    expect(channel('provider').bridge).toBe(channel('1001').bridge);
    const pushed = await alice.next('call:updated', (e) => e.call.id === call.id && e.step.type === 'unheld');
    expect(pushed.step).toEqual({ type: 'unheld', by: 'server', seconds: 1 });
    await eventually('the hold stored', async () => (await timeline(call.id)).includes('unheld:server'));
    const detail = await stored(call.id);
    expect(detail.call).toMatchObject({ status: 'answered', holdSeconds: 1 });
    expect(detail.timeline.find((s) => s.type === 'unheld')?.data).toEqual({ by: 'server', seconds: 1 });

    mark = tap.mark;
    const hungUp = (await post(`/calls/${call.id}/hangup`, e2e.alice.token).expect(200)).body as CallControlConfirmation;
    expect(hungUp.confirmed).toEqual({ kind: 'hung_up', channels: [caller], callEnded: true });
    expect(tap.commandsSince(mark)).toEqual([amiAction('Hangup', [['Channel', caller], ['Cause', 16]])]);
    await alice.next('call:ended', (e) => e.call.id === call.id);
    await eventually('the end stored', async () => (await stored(call.id)).call.endedAt !== null);
    expect((await stored(call.id)).call).toMatchObject({ status: 'answered', hangupBy: 'system', holdSeconds: 1 });
  }, 60_000);

  it('blind-transfers to a user by Redirect into transfer-context; the timeline names both users', async () => {
    const sue = await connect('sue');
    const { call, caller, linkedid } = await talkingCall();
    sim.engine.plans.get(linkedid)?.legs.set('1002', [{ response: 'answer', ringMs: 300, talkMs: 600_000, hangup: 'none' }]);
    const mark = tap.mark;
    const ack = confirmed(await sue.socket.emitWithAck('transfer-call', { callId: call.id, targetUserId: String(e2e.bob.id), transferReason: 'Billing' }));
    expect(ack.confirmed).toEqual({ kind: 'transferred', mode: 'blind', from: '1001', to: '1002' });
    expect(tap.commandsSince(mark)).toEqual([amiAction('Redirect', [['Channel', caller], ['Context', 'transfer-context'], ['Exten', '1002'], ['Priority', 1]])]);
    const pushed = await sue.next('call:updated', (e) => e.call.id === call.id && e.step.type === 'transferred');
    expect(pushed.step).toEqual({ type: 'transferred', kind: 'blind', from: '1001', to: '1002', fromUserId: String(e2e.alice.id), toUserId: String(e2e.bob.id) });
    await eventually('bob answered', async () => (await stored(call.id)).call.answeredByExtension !== null && channel('1002').bridge !== null);
    expect(channel('provider').bridge).toBe(channel('1002').bridge);
    await post(`/calls/${call.id}/hangup`, e2e.bob.token).expect(200);
    const ended = await sue.next('call:ended', (e) => e.call.id === call.id);
    expect(ended.end.agents).toEqual(['1001', '1002']);
    const audit = await e2e.testApp.app.get(DataSource).query(`SELECT user_id, details FROM audit_log WHERE action = 'call.transfer' AND target = $1`, [`call:${call.id}`]);
    expect(audit).toEqual([
      {
        user_id: e2e.sue.id,
        details: expect.objectContaining({
          request: { targetUserId: String(e2e.bob.id), transferReason: 'Billing', mode: 'blind' },
          pbxId: PBX,
          result: 'confirmed',
          ami: [{ action: 'Redirect', fields: { Channel: caller, Context: 'transfer-context', Exten: '1002', Priority: '1' }, answer: { response: 'Success', message: 'Redirect successful' } }],
        }),
      },
    ]);
  }, 60_000);

  it('blind-transfers an inbound call to an external number through the trunk, and the other party of an outbound call with BlindTransfer', async () => {
    const { call, caller } = await talkingCall();
    let mark = tap.mark;
    const out = (await post(`/calls/${call.id}/transfer`, e2e.alice.token, { number: '8 (495) 111-22-33', transferReason: 'to the branch' }).expect(200)).body as CallControlConfirmation;
    expect(out.confirmed).toEqual({ kind: 'transferred', mode: 'blind', from: '1001', to: '84951112233' });
    expect(tap.commandsSince(mark)).toEqual([amiAction('Redirect', [['Channel', caller], ['Context', 'transfer-context'], ['Exten', '84951112233'], ['Priority', 1]])]);
    await eventually('the caller dialling out', async () => sim.engine.liveChannels().filter((c) => c.peer.name === 'provider').length === 2);
    await post(`/calls/${call.id}/hangup`, e2e.sue.token).expect(200);

    // Alice calls out, then hands the person she called to Bob: she is the caller, so her channel hands its bridge over.
    const placed = sim.placeCall({ kind: 'outbound', from: '1001', to: '84957654321', ringMs: 300, talkMs: 600_000, hangupBy: 'caller' });
    sim.engine.plans.get(placed.linkedid)?.legs.set('1002', [{ response: 'answer', ringMs: 300, talkMs: 600_000, hangup: 'none' }]);
    const outbound = await eventually('the outbound call answered', async () => {
      const active = (await e2e.testApp.http().get('/api/calls/active').set('Authorization', `Bearer ${e2e.alice.token}`).expect(200)).body as CallView[];
      return active.find((c) => c.linkedid === placed.linkedid && c.status === 'answered');
    });
    mark = tap.mark;
    const handed = (await post(`/calls/${outbound.id}/transfer`, e2e.alice.token, { extension: '1002' }).expect(200)).body as CallControlConfirmation;
    expect(handed.confirmed).toMatchObject({ kind: 'transferred', mode: 'blind', from: '1001', to: '1002' });
    expect(tap.commandsSince(mark)).toEqual([amiAction('BlindTransfer', [['Channel', placed.channel], ['Context', 'transfer-context'], ['Exten', '1002']])]);
    await eventually('bob talks to the called party', async () => channel('1002').bridge !== null && channel('1002').bridge === channel('provider').bridge);
    await post(`/calls/${outbound.id}/hangup`, e2e.sue.token).expect(200);
  }, 60_000);

  it('hangs up the operator\'s phone waiting in crm-hold-wait when the held party hangs up', async () => {
    const { call, caller } = await talkingCall();
    await post(`/calls/${call.id}/hold`, e2e.alice.token).expect(200);
    const agent = channel('1001').name;
    const mark = tap.mark;
    sim.engine.control.phoneBye(channel('provider'));
    await eventually('the call over', async () => (await stored(call.id)).call.endedAt !== null);
    expect(tap.commandsSince(mark)).toEqual([amiAction('Hangup', [['Channel', agent], ['Cause', 16]])]);
    expect(sim.engine.liveChannels().map((c) => c.name)).not.toContain(caller);
  }, 30_000);

  it('tells the user when the consulted target does not answer, and the call is the operator\'s again', async () => {
    const alice = await connect('alice');
    const { call, linkedid } = await talkingCall();
    sim.engine.plans.get(linkedid)?.legs.set('1002', [{ response: 'busy', ringMs: 300, talkMs: 0, hangup: 'none' }]);
    confirmed(await alice.socket.emitWithAck('transfer-call', { callId: call.id, extension: '1002', mode: 'attended' }));
    expect(await alice.next('call:consultation', (e) => e.callId === call.id)).toMatchObject({ state: 'ended', to: '1002' });
    expect(await alice.socket.emitWithAck('complete-transfer', { callId: call.id })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    await eventually('alice back with the caller', async () => channel('1001').bridge !== null && channel('1001').bridge === channel('provider').bridge);
    await post(`/calls/${call.id}/hangup`, e2e.alice.token).expect(200);
  }, 30_000);

  it('transfers attended: Atxfer, then complete by hanging the operator up once the target answered; or cancel with CancelAtxfer', async () => {
    const alice = await connect('alice');
    for (const ending of ['complete', 'cancel'] as const) {
      const { call, linkedid } = await talkingCall();
      sim.engine.plans.get(linkedid)?.legs.set('1002', [{ response: 'answer', ringMs: 300, talkMs: 600_000, hangup: 'none' }]);
      const agent = channel('1001').name;
      let mark = tap.mark;
      const started = confirmed(await alice.socket.emitWithAck('transfer-call', { callId: call.id, extension: '1002', mode: 'attended' }));
      expect(started.confirmed).toEqual({ kind: 'consulting', to: '1002' });
      expect(tap.commandsSince(mark)).toEqual([amiAction('Atxfer', [['Channel', agent], ['Exten', '1002'], ['Context', 'transfer-context']])]);
      // The user learns that the target answered: complete-transfer works from then on.
      expect(await alice.next('call:consultation', (e) => e.callId === call.id && e.state === 'answered')).toMatchObject({ pbxId: PBX, to: '1002' });
      mark = tap.mark;
      if (ending === 'complete') {
        const done = confirmed(await alice.socket.emitWithAck('complete-transfer', { callId: call.id }));
        expect(done.confirmed).toEqual({ kind: 'transferred', mode: 'attended', from: '1001', to: '1002' });
        expect(tap.commandsSince(mark)).toEqual([amiAction('Hangup', [['Channel', agent], ['Cause', 16]])]);
        expect(channel('provider').bridge).toBe(channel('1002').bridge);
        await eventually('the transfer stored', async () => (await timeline(call.id)).includes('transferred'));
        await post(`/calls/${call.id}/hangup`, e2e.sue.token).expect(200);
      } else {
        const back = confirmed(await alice.socket.emitWithAck('cancel-transfer', { callId: call.id }));
        expect(back.confirmed).toEqual({ kind: 'consultation_cancelled', to: '1002' });
        expect(tap.commandsSince(mark)).toEqual([amiAction('CancelAtxfer', [['Channel', agent]])]);
        expect(channel('provider').bridge).toBe(channel('1001').bridge);
        expect(sim.engine.liveChannels().map((c) => c.peer.name).sort()).toEqual(['1001', 'provider']);
        await post(`/calls/${call.id}/hangup`, e2e.alice.token).expect(200);
        expect(await timeline(call.id)).not.toContain('transferred');
      }
    }
  }, 60_000);

  it('records on demand with MixMonitor i(CRM_MIXMON_ID) and stops that recording by its id; the file is linked to the call', async () => {
    const { call } = await talkingCall();
    const agent = channel('1001');
    let mark = tap.mark;
    const started = (await post(`/calls/${call.id}/recording`, e2e.alice.token, { on: true }).expect(200)).body as CallControlConfirmation;
    const file = (started.confirmed as { file: string }).file;
    expect(started.confirmed).toEqual({ kind: 'recording_started', file, source: 'mixmonitor' });
    expect(file).toMatch(new RegExp(`^crm-ami-${agent.uniqueid.replace('.', '\\.')}-\\d+\\.wav$`));
    expect(tap.commandsSince(mark)).toEqual([amiAction('MixMonitor', [['Channel', agent.name], ['File', file], ['Options', 'bi(CRM_MIXMON_ID)']])]);
    const id = agent.recordings.find((r) => r.file.endsWith(file))?.id;
    expect(id).toMatch(/^0x/);
    await post(`/calls/${call.id}/recording`, e2e.alice.token, { on: true }).expect(409);

    mark = tap.mark;
    const stopped = (await post(`/calls/${call.id}/recording`, e2e.alice.token, { on: false }).expect(200)).body as CallControlConfirmation;
    expect(stopped.confirmed).toEqual({ kind: 'recording_stopped', file, source: 'mixmonitor' });
    expect(tap.commandsSince(mark)).toEqual([amiAction('StopMixMonitor', [['Channel', agent.name], ['MixMonitorID', id!]])]);
    // The dialplan's own recording of the call (on the caller's channel) goes on.
    expect(channel('provider').recordings.filter((r) => r.stoppedAt === null)).toHaveLength(1);
    await eventually('the recording linked', async () => (await stored(call.id)).recordings.find((r) => r.fileName === file && r.stoppedAt !== null));
    expect(await timeline(call.id)).toEqual(expect.arrayContaining(['recording_started', 'recording_stopped']));
    await post(`/calls/${call.id}/hangup`, e2e.alice.token).expect(200);
  }, 60_000);

  it('records with Monitor where CALL_CONTROL_RECORDING says so, naming the file the MonitorStart does not name', async () => {
    const other = await startPbxSim({ port: 0, users: [AMI_USER], traffic: null, behaviour: ANSWERING, config: { recordingsPath: null } });
    const otherTap = await new AmiTap(other.port).start();
    const ingest = e2e.testApp.app.get(AmiIngestService, { strict: false });
    try {
      await ingest.add({ id: MONITOR_PBX, host: '127.0.0.1', port: otherTap.port, ...AMI_USER, tls: false });
      await eventually('the ingest following the second PBX', async () => other.stats.ami.actions >= 2);
      const placed = other.placeCall({ kind: 'inbound', from: '+74951234567', to: '74959876543', ringMs: 300, talkMs: 600_000, hangupBy: 'caller' });
      const call = await eventually('the call answered in the API', async () => {
        const active = (await e2e.testApp.http().get('/api/calls/active').set('Authorization', `Bearer ${e2e.sue.token}`).expect(200)).body as CallView[];
        return active.find((c) => c.pbxId === MONITOR_PBX && c.linkedid === placed.linkedid && c.status === 'answered');
      });
      const agent = other.engine.liveChannels().find((c) => c.peer.name === '1001')!;
      let mark = otherTap.mark;
      const started = (await post(`/calls/${call.id}/recording`, e2e.alice.token, { on: true }).expect(200)).body as CallControlConfirmation;
      const { file } = started.confirmed as { file: string };
      expect(started.confirmed).toEqual({ kind: 'recording_started', file, source: 'monitor' });
      expect(otherTap.commandsSince(mark)).toEqual([amiAction('Monitor', [['Channel', agent.name], ['File', file.replace(/\.wav$/, '')], ['Format', 'wav'], ['Mix', 'true']])]);
      mark = otherTap.mark;
      const stopped = (await post(`/calls/${call.id}/recording`, e2e.alice.token, { on: false }).expect(200)).body as CallControlConfirmation;
      expect(stopped.confirmed).toEqual({ kind: 'recording_stopped', file, source: 'monitor' });
      expect(otherTap.commandsSince(mark)).toEqual([amiAction('StopMonitor', [['Channel', agent.name]])]);
      await eventually('the recording linked', async () => (await stored(call.id)).recordings.find((r) => r.fileName === file && r.source === 'monitor'));
      await post(`/calls/${call.id}/hangup`, e2e.alice.token).expect(200);
    } finally {
      await ingest.remove(MONITOR_PBX);
      await otherTap.stop();
      await other.close();
    }
  }, 60_000);

  it('calls out from the user\'s own phone with preset ids and CRM_CALL_ID, confirmed when it rings, the outcome pushed', async () => {
    const alice = await connect('alice');
    const mark = tap.mark;
    const ack = confirmed(await alice.socket.emitWithAck('originate-call', { number: '1002', crmCallId: 'deal-4711' }));
    const { channelId } = ack.confirmed as { channelId: string };
    expect(ack).toMatchObject({ callId: null, pbxId: PBX, confirmed: { kind: 'originating', crmCallId: 'deal-4711', extension: '1001', number: '1002' } });
    expect(channelId).toMatch(/^crm-[0-9a-f-]{36}$/);
    expect(tap.commandsSince(mark)).toEqual([
      amiAction('Originate', [
        ['Channel', 'SIP/1001'],
        ['Context', 'from-internal'],
        ['Exten', '1002'],
        ['Priority', 1],
        ['Timeout', 30000],
        ['CallerID', '"CRM Click2Call" <1001>'],
        ['Async', 'true'],
        ['ChannelId', channelId],
        ['OtherChannelId', `${channelId}-2`],
        ['Variable', 'CRM_CALL_ID=deal-4711'],
      ]),
    ]);
    const outcome = await alice.next('call:originated', (e) => e.crmCallId === 'deal-4711');
    expect(outcome).toMatchObject({ pbxId: PBX, channelId, outcome: 'answered', reason: '4' });
    const call = await eventually('the click-to-call stored with its CRM id', async () => {
      const active = (await e2e.testApp.http().get('/api/calls/active').set('Authorization', `Bearer ${e2e.alice.token}`).expect(200)).body as CallView[];
      return active.find((c) => c.crmCallId === 'deal-4711' && c.status === 'answered');
    });
    expect(call).toMatchObject({ linkedid: channelId, direction: 'internal', callerNumber: '1001', assignedUserId: String(e2e.bob.id) });
    await post(`/calls/${call.id}/hangup`, e2e.alice.token).expect(200);
  }, 60_000);

  it('answers ORIGINATE_FAILED with Asterisk\'s reason when the user\'s phone cannot be called', async () => {
    // Dora's extension is a phone the PBX does not have: the Originate is queued, then fails at once.
    const dora = await createUser(e2e.testApp, e2e.adminToken, { username: 'dora', role: 'operator', phones: [{ phoneNumber: '1099', phoneType: 'extension' }] });
    const mark = tap.mark;
    const failed = await post('/calls/originate', dora.token, { number: '1002' }).expect(502);
    expect(failed.body).toMatchObject({ error: 'ORIGINATE_FAILED', details: { reason: '0' } });
    expect(tap.commandsSince(mark).map((a) => a.split('\r\n').slice(0, 3).join(' '))).toEqual(['Action: Originate ActionID: <id> Channel: SIP/1099']);
  }, 30_000);

  it('pauses the user as a queue member with QueuePause (not a hold), confirmed by QueueMemberPause', async () => {
    let mark = tap.mark;
    const paused = (await post('/agents/me/pause', e2e.alice.token, { paused: true, reason: 'Lunch' }).expect(200)).body as CallControlConfirmation;
    expect(paused).toMatchObject({ callId: null, confirmed: { kind: 'paused', paused: true, queues: ['support'], interfaces: ['SIP/1001'] } });
    expect(tap.commandsSince(mark)).toEqual([amiAction('QueuePause', [['Interface', 'SIP/1001'], ['Paused', 'true'], ['Reason', 'Lunch']])]);
    mark = tap.mark;
    const sue = await connect('sue');
    const ack = await sue.socket.emitWithAck('agent-pause', { paused: true });
    expect(ack).toMatchObject({ ok: false, error: { code: 'NO_EXTENSION' } });
    expect(tap.commandsSince(mark)).toEqual([]);
    confirmed(await (await connect('alice')).socket.emitWithAck('agent-pause', { paused: false, queue: 'support' }));
  }, 30_000);

  it('tracks a hold made on the phone, and leaves taking it off to the phone', async () => {
    const alice = await connect('alice');
    const { call } = await talkingCall({ phoneHold: { afterMs: 500, durationMs: 2000 } });
    await alice.next('call:updated', (e) => e.call.id === call.id && e.step.type === 'held');
    const mark = tap.mark;
    expect(await alice.socket.emitWithAck('hold-call', { callId: call.id, isHold: false })).toEqual({
      ok: false,
      error: { code: 'INVALID_STATE', message: 'The call is on hold on the phone: take it off hold there' },
    });
    expect(tap.commandsSince(mark)).toEqual([]);
    const unheld = await alice.next('call:updated', (e) => e.call.id === call.id && e.step.type === 'unheld');
    expect(unheld.step).toEqual({ type: 'unheld', by: 'phone', seconds: 2 });
    await post(`/calls/${call.id}/hangup`, e2e.alice.token).expect(200);
  }, 30_000);

  it('refuses bad input, unknown or ended calls, strangers, unknown and self targets with a clear error, sending nothing to the PBX', async () => {
    const { call } = await talkingCall();
    const bob = await connect('bob');
    const alice = await connect('alice');
    const mark = tap.mark;
    const refusals: Array<[string, Promise<CallControlAck>, string]> = [
      ['CR/LF in a number', alice.socket.emitWithAck('transfer-call', { callId: call.id, number: '8495\r\nAction: Originate' }), 'VALIDATION_FAILED'],
      ['LF in a reason', alice.socket.emitWithAck('transfer-call', { callId: call.id, extension: '1002', transferReason: 'a\nb' }), 'VALIDATION_FAILED'],
      ['NUL in a reason', alice.socket.emitWithAck('transfer-call', { callId: call.id, extension: '1002', transferReason: 'a\u0000b' }), 'VALIDATION_FAILED'],
      ['two targets', alice.socket.emitWithAck('transfer-call', { callId: call.id, extension: '1002', number: '84951112233' }), 'VALIDATION_FAILED'],
      ['no target', alice.socket.emitWithAck('transfer-call', { callId: call.id }), 'VALIDATION_FAILED'],
      ['an unknown field', alice.socket.emitWithAck('hold-call', { callId: call.id, isHold: true, channel: 'SIP/1002-x' } as never), 'VALIDATION_FAILED'],
      ['not an object', alice.socket.emitWithAck('hangup-call', 'all' as never), 'VALIDATION_FAILED'],
      ['an unknown call', alice.socket.emitWithAck('hangup-call', { callId: '999999' }), 'CALL_NOT_FOUND'],
      ['another operator\'s call', bob.socket.emitWithAck('hangup-call', { callId: call.id }), 'CALL_NOT_FOUND'],
      ['an extension nobody has', alice.socket.emitWithAck('transfer-call', { callId: call.id, extension: '1098' }), 'TARGET_NOT_FOUND'],
      ['a user without extension', alice.socket.emitWithAck('transfer-call', { callId: call.id, targetUserId: String(e2e.sue.id) }), 'TARGET_NOT_FOUND'],
      ['her own extension', alice.socket.emitWithAck('transfer-call', { callId: call.id, extension: '1001' }), 'TARGET_IS_SOURCE'],
      ['the caller\'s own number', alice.socket.emitWithAck('transfer-call', { callId: call.id, number: '8 (495) 123-45-67' }), 'TARGET_IS_SOURCE'],
      ['nothing to unhold', alice.socket.emitWithAck('hold-call', { callId: call.id, isHold: false }), 'INVALID_STATE'],
      ['no transfer to complete', alice.socket.emitWithAck('complete-transfer', { callId: call.id }), 'INVALID_STATE'],
      ['no recording to stop', alice.socket.emitWithAck('record-call', { callId: call.id, on: false }), 'INVALID_STATE'],
      ['calling herself', alice.socket.emitWithAck('originate-call', { number: '1001' }), 'TARGET_IS_SOURCE'],
    ];
    for (const [what, ack, code] of refusals) expect({ what, ack: await ack }).toEqual({ what, ack: { ok: false, error: expect.objectContaining({ code, message: expect.any(String) }) } });
    await post(`/calls/${call.id}/transfer`, e2e.alice.token, { number: '8495\r\n1112233' }).expect(400);
    await post(`/calls/0x10/hold`, e2e.alice.token).expect(400);
    await post(`/calls/${call.id}/hold`, e2e.bob.token).expect(404);
    expect(tap.commandsSince(mark)).toEqual([]);
    await post(`/calls/${call.id}/hangup`, e2e.alice.token).expect(200);
    await eventually('the end stored', async () => (await stored(call.id)).call.endedAt !== null);
    const ended = await post(`/calls/${call.id}/hold`, e2e.alice.token).expect(409);
    expect(ended.body).toMatchObject({ error: 'CALL_ENDED' });
    const audit = await e2e.testApp.app.get(DataSource).query(`SELECT details FROM audit_log WHERE action = 'call.transfer' AND target = $1 ORDER BY id`, [`call:${call.id}`]);
    // Input that fails validation is no command and is not audited; every checked command is.
    expect(audit.map((r: { details: { result: string } }) => r.details.result).sort()).toEqual(['TARGET_IS_SOURCE', 'TARGET_IS_SOURCE', 'TARGET_NOT_FOUND', 'TARGET_NOT_FOUND', 'VALIDATION_FAILED']);
  }, 60_000);

  it('gives two people acting on one call at once one result each, in order: one hold is sent, the second is refused', async () => {
    const alice = await connect('alice');
    const { call } = await talkingCall();
    const mark = tap.mark;
    const [first, second] = await Promise.all([
      alice.socket.emitWithAck('hold-call', { callId: call.id, isHold: true }),
      post(`/calls/${call.id}/hold`, e2e.sue.token).then((r) => r.body as { error?: string }),
    ]);
    const outcomes = [first.ok ? 'held' : first.error.code, second.error ?? 'held'].sort();
    expect(outcomes).toEqual(['INVALID_STATE', 'held']);
    expect(tap.commandsSince(mark).filter((a) => a.startsWith('Action: Redirect'))).toHaveLength(1);
    // A hang-up and an unhold at once: whichever comes first wins, the other finds the call over or off hold.
    const [hangup, unhold] = await Promise.all([
      post(`/calls/${call.id}/hangup`, e2e.sue.token).then((r) => r.status),
      alice.socket.emitWithAck('hold-call', { callId: call.id, isHold: false }),
    ]);
    expect(hangup).toBe(200);
    if (!unhold.ok) expect(['CALL_ENDED', 'INVALID_STATE']).toContain(unhold.error.code);
    await eventually('the call over', async () => (await stored(call.id)).call.endedAt !== null);
    expect(sim.engine.liveChannels()).toEqual([]);
  }, 60_000);
});
