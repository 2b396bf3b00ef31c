import { ChannelClassifier } from './channel-name';

describe('ChannelClassifier', () => {
  const classifier = new ChannelClassifier();

  it.each([
    ['SIP/1001-00000003', 'extension', '1001'],
    ['PJSIP/1001-0000000a', 'extension', '1001'],
    ['IAX2/1001-12345', 'extension', '1001'],
    ['SIP/provider-0000000b', 'trunk', 'provider'],
    ['PJSIP/my-trunk-00000001', 'trunk', 'my-trunk'],
    ['SIP/10.0.0.5-00000001', 'trunk', '10.0.0.5'],
    ['SIP/1003', 'extension', '1003'],
    ['SIP/1001-00000003<ZOMBIE>', 'extension', '1001'],
    ['Local/1001@from-queue-00000001;1', 'local', null],
    ['Announcer/ARI_MOH-00000001', 'other', null],
    ['garbage', 'other', null],
  ])('%s is %s %s', (name, kind, peer) => {
    expect(classifier.classify(name)).toEqual({ kind, peer });
  });

  it('lets a trunk list and an isExtension rule decide', () => {
    const custom = new ChannelClassifier({ trunks: ['7495'], isExtension: (peer) => /^(\d{3,4}|op-\w+)$/.test(peer) });
    expect(custom.classify('SIP/7495-00000001').kind).toBe('trunk');
    expect(custom.classify('PJSIP/op-anna-00000002')).toEqual({ kind: 'extension', peer: 'op-anna' });
    expect(custom.classify('SIP/74951234567-00000003').kind).toBe('trunk');
  });

  it('reads dial strings and Local pairs', () => {
    expect(ChannelClassifier.numberOfDialString('provider/84951112233')).toBe('84951112233');
    expect(ChannelClassifier.numberOfDialString('1001@from-queue/n')).toBe('1001');
    expect(ChannelClassifier.numberOfDialString('1002')).toBe('1002');
    expect(ChannelClassifier.localPartnerName('Local/1001@q-00000001;1')).toBe('Local/1001@q-00000001;2');
    expect(ChannelClassifier.localPartnerName('Local/1001@q-00000001;2')).toBe('Local/1001@q-00000001;1');
    expect(ChannelClassifier.localPartnerName('SIP/1001-00000001')).toBeNull();
  });
});
