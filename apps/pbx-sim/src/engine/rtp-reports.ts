import type { PbxEngine } from './pbx-engine';
import type { SimChannel } from './sim-channel';
import { AmiFields, formatEpochMicro } from './ami-event';

const ZERO = '000.000000';
const JITTER = ['minrxjitter', 'maxrxjitter', 'avgrxjitter', 'stdevrxjitter', 'mintxjitter', 'maxtxjitter', 'avgtxjitter', 'stdevtxjitter'];
const LOSS = ['minrxlost', 'maxrxlost', 'avgrxlost', 'stdevrxlost', 'mintxlost', 'maxtxlost', 'avgtxlost', 'stdevtxlost'];
const RTT = ['minrtt', 'maxrtt', 'avgrtt', 'stdevrtt'];
const MES = ['minrxmes', 'maxrxmes', 'avgrxmes', 'stdevrxmes', 'mintxmes', 'maxtxmes', 'avgtxmes', 'stdevtxmes'];
const SUFFIXES = ['', 'JITTER', 'LOSS', 'RTT', 'MES'] as const;

/** chan_sip indents every entry of these summaries by a fixed width; the captures keep it. */
function summary(names: string[], indent: number): string {
  return names.map((n) => `${' '.repeat(indent)}${n}=${ZERO};`).join('');
}

const RTCP_INTERVAL_MS = 5000;

/**
 * The RTP side of chan_sip and chan_pjsip as AMI shows it: the `RTPAUDIOQOS*` summaries
 * a channel reports when its RTP stops (and mirrors as `...BRIDGED` on its bridge peer),
 * and `RTCPSent` every 5 s of media. How they are spread over the two parties of a call
 * differs between the channel drivers (see the dialect's `rtp`).
 */
export class RtpReports {
  constructor(private readonly engine: PbxEngine) {}

  /**
   * The endpoint behind `from` sent BYE while bridged with `to`: chan_sip writes the
   * five summaries of the sender, each mirrored on the peer, then the peer's own.
   */
  onBye(from: SimChannel, to: SimChannel | null): void {
    from.byeSent = true;
    if (from.answeredAt === null || from.localPeer) return;
    this.interleave(from, to);
    from.rtpStatsDone = true;
    // chan_pjsip: the peer reports its own summaries when its media stops, not now.
    if (this.engine.dialect.rtp === 'pjsip') return;
    if (to && to.answeredAt !== null && !to.localPeer) {
      this.interleave(to, from);
      to.rtpStatsDone = true;
    }
  }

  /** Just before `Hangup`: the summaries of a channel Asterisk itself hangs up (then, on chan_sip, its final RTPAUDIOQOS). */
  onHangup(ch: SimChannel): void {
    if (ch.answeredAt === null || ch.localPeer) return;
    if (!ch.rtpStatsDone) {
      this.interleave(ch, null);
      ch.rtpStatsDone = true;
    }
    if (!ch.byeSent && this.engine.dialect.rtp === 'chan_sip') this.engine.varSet(ch, 'RTPAUDIOQOS', this.value(ch, ''));
  }

  startRtcp(ch: SimChannel): void {
    if (!this.engine.config.rtcp) return;
    const tick = (): void => {
      if (ch.hungUp) return;
      this.rtcpSent(ch);
      ch.addTimer(this.engine.clock.setTimer(RTCP_INTERVAL_MS, tick));
    };
    ch.addTimer(this.engine.clock.setTimer(RTCP_INTERVAL_MS, tick));
  }

  private interleave(own: SimChannel, mirror: SimChannel | null): void {
    for (const suffix of SUFFIXES) {
      const value = this.value(own, suffix);
      this.engine.varSet(own, `RTPAUDIOQOS${suffix}`, value);
      if (mirror) this.engine.varSet(mirror, `RTPAUDIOQOS${suffix}BRIDGED`, value);
    }
  }

  private value(ch: SimChannel, suffix: (typeof SUFFIXES)[number]): string {
    switch (suffix) {
      case '': {
        const packets = Math.max(1, Math.floor((this.engine.clock.now() - (ch.answeredAt ?? this.engine.clock.now())) / 20));
        const them = ch.peer.kind === 'trunk' ? 572662306 : 286331153;
        return `ssrc=${ch.ssrc};themssrc=${them};lp=0;rxjitter=0.000000;rxcount=${packets};txjitter=0.000000;txcount=${packets};rlp=0;rtt=0.000000;rxmes=0.000000;txmes=0.000000`;
      }
      case 'JITTER':
        return summary(JITTER, 0);
      case 'LOSS':
        return summary(LOSS, 2);
      case 'RTT':
        return summary(RTT, 5);
      case 'MES':
        return summary(MES, 3);
    }
  }

  private rtcpSent(ch: SimChannel): void {
    ch.rtcpReports++;
    const packets = ch.rtcpReports * 250;
    const f = new AmiFields()
      .add('To', `127.0.0.1:${16000 + (ch.ssrc % 4000) * 2}`)
      .add('From', `127.0.0.1:${10000 + (ch.ssrc % 9000)}`)
      .add('MES', '88.1')
      .add('SSRC', `0x${ch.ssrc.toString(16).padStart(8, '0')}`)
      .add('PT', '200(SR)')
      .add('ReportCount', 1)
      .add('SentNTP', formatEpochMicro(this.engine.clock.now()))
      .add('SentRTP', packets * 160)
      .add('SentPackets', packets)
      .add('SentOctets', packets * 160)
      .add('Report0SourceSSRC', ch.peer.kind === 'trunk' ? '0x22222222' : '0x11111111')
      .add('Report0FractionLost', 0)
      .add('Report0CumulativeLost', 0)
      .add('Report0HighestSequence', packets)
      .add('Report0SequenceNumberCycles', 0)
      .add('Report0IAJitter', 0)
      .add('Report0LSR', 0)
      .add('Report0DLSR', '0.0000');
    this.engine.channelEvent('RTCPSent', 'reporting,all', ch, f);
  }
}
