import { makeCallRecord } from '../testing/call-record-factory';
import { assignCall } from './call-assignment';

const phones = new Map([
  ['1001', 'alice'],
  ['1002', 'bob'],
  ['1003', 'carol'],
  ['1011', 'alice'],
]);
const userOf = (ext: string) => phones.get(ext) ?? null;

describe('assignCall', () => {
  it('gives an answered inbound call to whoever answered', () => {
    const call = makeCallRecord({ status: 'answered', answeredBy: '1001', agents: ['1001'] });
    expect(assignCall(call, userOf)).toEqual({ userId: 'alice', extension: '1001' });
  });

  it('gives a transferred call to the final agent', () => {
    const call = makeCallRecord({ status: 'answered', answeredBy: '1001', agents: ['1001', '1002'] });
    expect(assignCall(call, userOf)).toEqual({ userId: 'bob', extension: '1002' });
  });

  it('credits only the member who answered a ring-all call', () => {
    const call = makeCallRecord({ ringingExtensions: ['1001', '1002', '1003'], status: 'answered', answeredBy: '1003', agents: ['1003'] });
    expect(assignCall(call, userOf).userId).toBe('carol');
  });

  it('falls back to answeredBy when the agents list is still empty', () => {
    const call = makeCallRecord({ status: 'answered', answeredBy: '1002' });
    expect(assignCall(call, userOf).userId).toBe('bob');
  });

  it('skips a final agent without a user for the last one that has one', () => {
    const call = makeCallRecord({ status: 'answered', agents: ['1002', '2999'] });
    expect(assignCall(call, userOf)).toEqual({ userId: 'bob', extension: '1002' });
  });

  it('assigns nobody when the only agents have no user', () => {
    const call = makeCallRecord({ status: 'answered', agents: ['2999'], ringingExtensions: ['1001', '2999'] });
    expect(assignCall(call, userOf).userId).toBeNull();
  });

  it('gives an unanswered inbound call to the user whose extension rang', () => {
    expect(assignCall(makeCallRecord({ status: 'missed', ended: true }), userOf)).toEqual({ userId: 'alice', extension: '1001' });
    expect(assignCall(makeCallRecord({ ringingExtensions: ['1001', '1011'] }), userOf).userId).toBe('alice');
  });

  it('gives a missed ring-all call to nobody', () => {
    expect(assignCall(makeCallRecord({ status: 'missed', ringingExtensions: ['1001', '1002'] }), userOf).userId).toBeNull();
  });

  it("gives an outbound call to the caller's extension, answered or not", () => {
    const outbound = makeCallRecord({ direction: 'outbound', caller: '1002', callee: '84951112233', ringingExtensions: [] });
    expect(assignCall(outbound, userOf)).toEqual({ userId: 'bob', extension: '1002' });
    expect(assignCall({ ...outbound, status: 'answered', answeredBy: null, agents: [] }, userOf).userId).toBe('bob');
  });

  it('gives an outbound call transferred to a colleague to that colleague', () => {
    const call = makeCallRecord({ direction: 'outbound', caller: '1002', callee: '84951112233', agents: ['1002', '1003'], status: 'answered' });
    expect(assignCall(call, userOf).userId).toBe('carol');
  });

  it('gives an internal call to the callee who answered, or rang', () => {
    const internal = makeCallRecord({ direction: 'internal', caller: '1001', callee: '1002', trunk: null, ringingExtensions: ['1002'] });
    expect(assignCall({ ...internal, status: 'answered', answeredBy: '1002', agents: ['1002'] }, userOf).userId).toBe('bob');
    expect(assignCall({ ...internal, status: 'missed' }, userOf).userId).toBe('bob');
  });

  it('assigns nobody when no extension is known', () => {
    expect(assignCall(makeCallRecord({ ringingExtensions: ['5555'] }), userOf)).toEqual({ userId: null, extension: null });
  });
});
