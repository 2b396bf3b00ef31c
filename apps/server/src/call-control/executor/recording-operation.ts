import { amiActions, type AmiActionSpec, type CallRecord } from '@app/ami';
import { refused, type AmiExchange, type ControlActor, type ControlOutcome } from '../control-protocol';
import { partiesOf } from './call-parties';
import { callEvent } from './confirmation-watch';
import type { ControlContext, CrmRecording } from './control-context';

/** The channel variable MixMonitor's `i()` option stores its MixMonitorID in (capture pjsip_mixmonitor_on_demand). */
export const MIXMONITOR_ID_VARIABLE = 'CRM_MIXMON_ID';
/** Names of the CRM's on-demand recordings begin so (the captures' lab used `crm-ami-<uniqueid>.wav`). */
export const CRM_RECORDING_PREFIX = 'crm-ami-';

/**
 * Recording on demand, on the operator's channel: `MixMonitor` with the `b` option (only what is
 * said while bridged) and `i(CRM_MIXMON_ID)`, stopped by `StopMixMonitor` with that id, so the
 * dialplan's own recording on the same channel goes on (capture pjsip_mixmonitor_on_demand);
 * or, where `CALL_CONTROL_RECORDING=monitor` (Asterisk <= 20 without the `system` write class),
 * `Monitor`/`StopMonitor`. Confirmed by the tracker's `recording_started`/`recording_stopped`
 * for that file; the recordings context links the file from those steps like any other.
 */
export class RecordingOperation {
  constructor(private readonly ctx: ControlContext) {}

  async start(call: CallRecord, actor: ControlActor): Promise<ControlOutcome> {
    const parties = partiesOf(call, actor);
    if ('refusal' in parties) return refused(parties.refusal, parties.message);
    const { agent } = parties;
    if (agent.state === 'ringing') return refused('INVALID_STATE', 'The call is not answered yet');
    if (this.running(call)) return refused('INVALID_STATE', 'The call is already being recorded on demand');
    const source = this.ctx.settings.recording;
    const base = `${CRM_RECORDING_PREFIX}${agent.uniqueid}-${Date.now()}`;
    const file = `${base}.wav`;
    let spec: AmiActionSpec;
    if (source === 'monitor') {
      if (!this.ctx.pbx.expectMonitorFile(agent.uniqueid, file)) return refused('CALL_ENDED', 'The channel to record has hung up');
      spec = amiActions.monitor({ channel: agent.channel, file: base, format: 'wav', mix: true });
    } else {
      spec = amiActions.mixMonitor({ channel: agent.channel, file, options: 'b', idVariable: MIXMONITOR_ID_VARIABLE });
    }
    const ami: AmiExchange[] = [];
    const acted = await this.ctx.act(
      ami,
      spec,
      (_msg, events) => {
        const started = callEvent(events, call.callId, 'recording_started');
        return started?.recording.file === file ? started.recording : undefined;
      },
      'The recording',
    );
    if (!acted.ok) return acted.outcome;
    const mixMonitorId = acted.answer?.get('MixMonitorID') ?? null;
    this.ctx.memory.recordings.set(call.callId, { channel: agent.channel, uniqueid: agent.uniqueid, file, source, mixMonitorId });
    return { ok: true, confirmed: { kind: 'recording_started', file, source }, at: acted.at, ami };
  }

  async stop(call: CallRecord, actor: ControlActor): Promise<ControlOutcome> {
    const parties = partiesOf(call, actor);
    if ('refusal' in parties) return refused(parties.refusal, parties.message);
    const recording = this.running(call) ?? null;
    if (!recording) return refused('INVALID_STATE', 'The call is not being recorded on demand');
    const ami: AmiExchange[] = [];
    // A process that took the PBX over reads the id the recording left on its channel.
    const mixMonitorId =
      recording.source === 'mixmonitor' && recording.mixMonitorId === null
        ? ((await this.ctx.send(ami, amiActions.getvar({ channel: recording.channel, variable: MIXMONITOR_ID_VARIABLE })).catch(() => null))?.get('Value') ?? null)
        : recording.mixMonitorId;
    const spec =
      recording.source === 'monitor'
        ? amiActions.stopMonitor({ channel: recording.channel })
        : amiActions.stopMixMonitor({ channel: recording.channel, ...(mixMonitorId ? { mixMonitorId } : {}) });
    const acted = await this.ctx.act(
      ami,
      spec,
      (_msg, events) => {
        const stopped = callEvent(events, call.callId, 'recording_stopped');
        return stopped?.recording.file === recording.file ? stopped.recording : undefined;
      },
      'Stopping the recording',
    );
    if (!acted.ok) return acted.outcome;
    this.ctx.memory.recordings.delete(call.callId);
    return { ok: true, confirmed: { kind: 'recording_stopped', file: recording.file, source: recording.source }, at: acted.at, ami };
  }

  /**
   * The CRM's recording running on this call: as remembered, else (after a takeover) the call's
   * running recording with the CRM's name, on the channel that name carries.
   */
  private running(call: CallRecord): CrmRecording | undefined {
    const remembered = this.ctx.memory.recordings.get(call.callId);
    const open = call.recordings.filter((r) => r.stoppedAt === null && r.file.startsWith(CRM_RECORDING_PREFIX));
    if (remembered) return open.some((r) => r.file === remembered.file) ? remembered : undefined;
    for (const r of open) {
      const leg = (call.legs ?? []).find((l) => r.file.startsWith(`${CRM_RECORDING_PREFIX}${l.uniqueid}-`));
      if (leg) return { channel: leg.channel, uniqueid: leg.uniqueid, file: r.file, source: r.source, mixMonitorId: null };
    }
    return undefined;
  }
}
