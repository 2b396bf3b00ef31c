import type { TFunction } from 'i18next';
import { errorMessage } from '../common/error-message';
import type { ControlCommand, ControlNote } from './control-state';

const COMMAND_KEY = {
  'transfer-call': 'transfer',
  'complete-transfer': 'completeTransfer',
  'cancel-transfer': 'cancelTransfer',
  'hold-call': 'hold',
  'hangup-call': 'hangup',
  'record-call': 'record',
  'originate-call': 'originate',
  'agent-pause': 'pause',
} as const satisfies Record<ControlCommand, string>;

/** Codes whose translation is a heading: the server's message says which case it was ("already on hold", Asterisk's own words). */
const WITH_DETAIL = new Set(['INVALID_STATE', 'NOT_SUPPORTED', 'PBX_REFUSED', 'NOT_CONFIRMED', 'ORIGINATE_FAILED']);

const ORIGINATE_REASONS = new Set(['0', '1', '3', '5', '8']);

/** A note in words: what the PBX confirmed, or why the command was not done. */
export function noteText(t: TFunction, note: ControlNote): string {
  switch (note.kind) {
    case 'refused': {
      const { error } = note;
      const reason = WITH_DETAIL.has(error.code) ? `${errorMessage(t, error)}: ${error.message}.` : errorMessage(t, error);
      return t('control.refused', { action: t(`control.command.${COMMAND_KEY[note.command]}`), reason });
    }
    case 'consultation':
      return note.state === 'answered' ? t('control.consultationAnswered', { to: note.to }) : t('control.consultationEnded', { to: note.to });
    case 'originated': {
      if (note.outcome === 'answered') return t('control.originatedAnswered', { number: note.number });
      const reason = note.reason !== null && ORIGINATE_REASONS.has(note.reason) ? note.reason : 'other';
      return t('control.originatedFailed', { number: note.number, reason: t(`control.originateReason.${reason as '0'}`) });
    }
    case 'confirmed': {
      const { confirmed } = note;
      switch (confirmed.kind) {
        case 'held':
          return t('control.held');
        case 'unheld':
          return t('control.unheld', { seconds: confirmed.seconds });
        case 'transferred':
          return t(confirmed.mode === 'attended' ? 'control.transferredAttended' : 'control.transferredBlind', { to: confirmed.to });
        case 'consulting':
          return t('control.consultingStarted', { to: confirmed.to });
        case 'consultation_cancelled':
          return t('control.consultationCancelled', { to: confirmed.to });
        case 'hung_up':
          return t(confirmed.callEnded ? 'control.hungUp' : 'control.hungUpLeg');
        case 'recording_started':
          return t('control.recordingStarted', { file: confirmed.file });
        case 'recording_stopped':
          return t('control.recordingStopped', { file: confirmed.file });
        case 'originating':
          return t('control.originating', { extension: confirmed.extension, number: confirmed.number });
        case 'paused':
          return t(confirmed.paused ? 'control.paused' : 'control.unpaused', { queues: confirmed.queues.join(', ') });
      }
    }
  }
}
