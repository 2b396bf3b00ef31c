import { DataSource } from 'typeorm';
import { expectErrorShape, loginAdmin, startTestApp, TestApp } from './support/test-app';
import { uniqueName } from './support/test-database';

/** Numbers of an area code (343) no other suite uses, each new in this run's fresh database. */
let numberSeed = 0;
function nextNumbers(count: number): string[] {
  return Array.from({ length: count }, () => `+7343${String(numberSeed++).padStart(7, '0')}`);
}

/**
 * The CSV import under the security probe's inputs (issue 14): bad rows are reported and the
 * rest imported, in one transaction (a failure writes nothing), at 10,000 rows x 7 phones,
 * with progress, in UTF-16 as in UTF-8, and with the API's cap on phones per company.
 */
describe('company CSV import: hostile and large files', () => {
  let testApp: TestApp;
  let token: string;
  let dataSource: DataSource;
  const auth = () => ({ Authorization: `Bearer ${token}` });
  const countNamed = async (prefix: string) => Number((await dataSource.query(`SELECT count(*) AS n FROM companies WHERE name LIKE $1`, [`${prefix}%`]))[0].n);

  beforeAll(async () => {
    testApp = await startTestApp({ DEFAULT_PHONE_REGION: 'RU' });
    token = await loginAdmin(testApp);
    dataSource = testApp.app.get(DataSource);
  });

  afterAll(() => testApp?.close());

  it.each([
    ['a NUL in a name', (tag: string) => `${tag} bad\u0000name`, 'name must not contain NUL characters'],
    ['a NUL in notes', (tag: string) => `${tag} bad notes;;;;x\u0000y`, 'notes must not contain NUL characters'],
  ])('%s: that row is reported, the rows before and after are imported (text/csv and multipart)', async (_name, badRow, reason) => {
    for (const upload of ['text', 'multipart'] as const) {
      const tag = uniqueName('NulImport');
      const csv = ['name;phones;inn;email;notes', `${tag} first;;;;`, badRow(tag), `${tag} last;;;;`].join('\n');
      const request = testApp.http().post('/api/companies/import').set(auth());
      const response = await (upload === 'text' ? request.set('Content-Type', 'text/csv').send(csv) : request.attach('file', Buffer.from(csv), 'c.csv'));
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ created: 2, errors: [{ row: 3, reason }], duplicates: [] });
      expect(await countNamed(tag)).toBe(2);
    }
  });

  it('caps phones per company at 20, as the API does', async () => {
    const tag = uniqueName('Cap');
    const csv = ['name,phones', `${tag} thirty,"${nextNumbers(30).join(';')}"`, `${tag} twenty,"${nextNumbers(20).join(';')}"`].join('\n');
    const response = await testApp.http().post('/api/companies/import').set(auth()).set('Content-Type', 'text/csv').send(csv).expect(201);
    expect(response.body).toMatchObject({ created: 1, errors: [{ row: 2, reason: 'has 30 phones; a company has at most 20' }] });
    const api = await testApp.http().post('/api/companies').set(auth()).send({ name: `${tag} api`, phones: nextNumbers(21) });
    expect(api.status).toBe(400);
  });

  it('a failure while writing leaves nothing of the file behind (one transaction)', async () => {
    const tag = uniqueName('Atomic');
    // A fault PostgreSQL raises for one row in the middle: not a duplicate, not the row's data.
    await dataSource.query(`CREATE FUNCTION test_import_fault() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.name = '${tag} 0150' THEN RAISE EXCEPTION 'disk full' USING ERRCODE = '53100'; END IF; RETURN NEW; END $$`);
    await dataSource.query(`CREATE TRIGGER test_import_fault BEFORE INSERT ON companies FOR EACH ROW EXECUTE FUNCTION test_import_fault()`);
    try {
      const csv = ['name,phones', ...Array.from({ length: 300 }, (_, i) => `${tag} ${String(i).padStart(4, '0')},`)].join('\n');
      const response = await testApp.http().post('/api/companies/import').set(auth()).set('Content-Type', 'text/csv').send(csv);
      expect(response.status).toBeGreaterThanOrEqual(500);
      expect(response.body.error).toBeDefined();
      expect(await countNamed(tag)).toBe(0);
    } finally {
      await dataSource.query(`DROP TRIGGER test_import_fault ON companies; DROP FUNCTION test_import_fault()`);
    }
  });

  describe('encodings', () => {
    const csvText = (tag: string) => `name;phones\n${tag} Ромашка;${nextNumbers(1)[0]}\n${tag} Вектор;\n`;

    it.each([
      ['UTF-16 LE with a BOM', (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
      ['UTF-16 BE with a BOM', (text: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()])],
      ['UTF-8 with a BOM', (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])],
    ])('%s is read (multipart and text/csv)', async (_name, encode) => {
      for (const upload of ['text', 'multipart'] as const) {
        const tag = uniqueName('Enc');
        const file = encode(csvText(tag));
        const request = testApp.http().post('/api/companies/import').set(auth());
        const response = await (upload === 'text' ? request.set('Content-Type', 'text/csv').send(file) : request.attach('file', file, 'c.csv'));
        expect(response.status).toBe(201);
        expect(response.body).toMatchObject({ created: 2, errors: [] });
        const names = (await dataSource.query(`SELECT name FROM companies WHERE name LIKE $1 ORDER BY name`, [`${tag}%`])).map((r: { name: string }) => r.name);
        expect(names).toEqual([`${tag} Вектор`, `${tag} Ромашка`]);
      }
    });

    it.each([
      ['UTF-16 without a BOM', (text: string) => Buffer.from(text, 'utf16le'), /UTF-16 without a byte order mark/],
      ['Windows-1251', () => Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3b, 0x70, 0x68, 0x6f, 0x6e, 0x65, 0x73, 0x0a, 0xd0, 0xee, 0xec, 0xe0, 0xf8, 0xea, 0xe0, 0x3b, 0x0a]), /not UTF-8.*line 2/],
    ])('%s is refused with a message that says so', async (_name, encode, message) => {
      const response = await testApp.http().post('/api/companies/import').set(auth()).attach('file', encode(csvText(uniqueName('Bad'))), 'c.csv');
      expect(response.status).toBe(400);
      expectErrorShape(response.body, 400, 'INVALID_CSV');
      expect(response.body.message).toMatch(message);
    });
  });

  describe('10,000 rows', () => {
    const bigCsv = (tag: string, phonesPerRow: number) =>
      ['name,phones', ...Array.from({ length: 10_000 }, (_, i) => `${tag} ${i},"${nextNumbers(phonesPerRow).join(';')}"`)].join('\n');

    it('x 7 phones (70,000 numbers, past PostgreSQL\'s 65,535 parameters) are all imported, in seconds', async () => {
      const tag = uniqueName('Big7');
      const started = Date.now();
      const response = await testApp.http().post('/api/companies/import').set(auth()).attach('file', Buffer.from(bigCsv(tag, 7)), 'big.csv');
      const seconds = (Date.now() - started) / 1000;
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ created: 10_000, errors: [], duplicates: [] });
      expect(await countNamed(tag)).toBe(10_000);
      const phones = await dataSource.query(`SELECT count(*) AS n FROM company_phones p JOIN companies c ON c.id = p.company_id WHERE c.name LIKE $1`, [`${tag}%`]);
      expect(Number(phones[0].n)).toBe(70_000);
      // One request took 65 s for 10,000 rows of one phone before the batched writes.
      expect(seconds).toBeLessThan(30);
    }, 120_000);

    it('report their progress as NDJSON when asked (Accept: application/x-ndjson), then the same result', async () => {
      const tag = uniqueName('Progress');
      const response = await testApp
        .http()
        .post('/api/companies/import')
        .set(auth())
        .set('Accept', 'application/x-ndjson')
        .set('Content-Type', 'text/csv')
        .send(bigCsv(tag, 1))
        .buffer(true)
        .parse((res, done) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => done(null, text));
        });
      expect(response.status).toBe(201);
      expect(response.type).toBe('application/x-ndjson');
      const lines = (response.body as string).trim().split('\n').map((line) => JSON.parse(line));
      const progress = lines.filter((line) => line.type === 'progress');
      expect(progress.length).toBeGreaterThanOrEqual(5);
      expect(progress.map((line) => line.processed)).toEqual([...progress.map((line) => line.processed)].sort((a, b) => a - b));
      expect(progress.at(-1)).toEqual({ type: 'progress', phase: 'writing', processed: 10_000, total: 10_000 });
      expect(lines.at(-1)).toMatchObject({ type: 'result', result: { created: 10_000, errors: [], duplicates: [] } });
      expect(await countNamed(tag)).toBe(10_000);
    }, 120_000);
  });
});
