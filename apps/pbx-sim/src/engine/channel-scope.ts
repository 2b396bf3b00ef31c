import type { DialplanScope } from './dialplan-expression';
import { strftime } from './dialplan';
import type { Dialplan } from './dialplan';
import type { SimChannel } from './sim-channel';

/** What a channel's variables and dialplan functions read besides the channel itself. */
export interface ScopeContext {
  readonly dialplan: Dialplan;
  readonly globals: Map<string, string>;
  now(): number;
}

const unknownToEmpty = (v: string): string => (v === '<unknown>' ? '' : v);

/**
 * The variables and dialplan functions a channel's dialplan (and the Getvar / Status
 * actions) can read: built-in variables, the channel's own, then globals; CALLERID(),
 * CONNECTEDLINE(), CDR(), CHANNEL(), STRFTIME(), DIALPLAN_EXISTS(). Without a channel
 * only globals and channel-less functions answer.
 */
export function channelScope(pbx: ScopeContext, ch: SimChannel | null): DialplanScope {
  return {
    variable(name: string): string {
      if (ch) {
        switch (name) {
          case 'EXTEN':
            return ch.exten;
          case 'CONTEXT':
            return ch.context;
          case 'PRIORITY':
            return String(ch.priority);
          case 'UNIQUEID':
            return ch.uniqueid;
          case 'CHANNEL':
            return ch.name;
          default: {
            const v = ch.vars.get(name);
            if (v !== undefined) return v;
          }
        }
      }
      if (name === 'EPOCH') return String(Math.floor(pbx.now() / 1000));
      return pbx.globals.get(name) ?? '';
    },
    func(name: string, args: string): string {
      switch (name) {
        case 'STRFTIME': {
          const [epoch, , ...format] = args.split(',');
          return strftime(Number(epoch) || Math.floor(pbx.now() / 1000), format.join(','));
        }
        case 'DIALPLAN_EXISTS': {
          const [context, exten = 's', priority = '1'] = args.split(',');
          return pbx.dialplan.exists(context, exten, Number(priority) || 1) ? '1' : '0';
        }
        default:
          return ch ? channelFunction(ch, name, args) : '';
      }
    },
  };
}

function channelFunction(ch: SimChannel, name: string, arg: string): string {
  switch (name) {
    case 'CALLERID':
      if (arg === 'num' || arg === 'number') return unknownToEmpty(ch.callerNum);
      if (arg === 'name') return unknownToEmpty(ch.callerName);
      if (arg === 'all') return ch.callerIdAll;
      return '';
    case 'CONNECTEDLINE':
      if (arg === 'num' || arg === 'number') return unknownToEmpty(ch.connectedNum);
      if (arg === 'name') return unknownToEmpty(ch.connectedName);
      return '';
    case 'CDR':
      return arg === 'userfield' ? ch.userField : (ch.cdrVars.get(arg) ?? '');
    case 'CHANNEL':
      if (arg === 'name') return ch.name;
      if (arg === 'uniqueid') return ch.uniqueid;
      if (arg === 'linkedid') return ch.linkedid;
      if (arg === 'state') return ch.stateDesc;
      return '';
    default:
      return '';
  }
}
