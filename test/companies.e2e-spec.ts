import { expectErrorShape, loginAdmin, startTestApp, TestApp, createUser } from './support/test-app';
import { uniqueName } from './support/test-database';

let landlineSeed = 1_000_000 + ((Date.now() * 7) % 8_000_000);

/** A 7-digit local number not used before in this run (the database is fresh per run). */
function uniqueLandline(): string {
  landlineSeed += 1;
  return String(landlineSeed);
}

describe('companies API', () => {
  let testApp: TestApp;
  let token: string;
  const auth = () => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    testApp = await startTestApp({ DEFAULT_PHONE_REGION: 'RU' });
    token = await loginAdmin(testApp);
  });

  afterAll(() => testApp?.close());

  describe('lookup by any formatting of a number', () => {
    const local = uniqueLandline();
    const [a, b, c] = [local.slice(0, 3), local.slice(3, 5), local.slice(5)];
    const e164 = `+7495${local}`;
    let companyId: number;

    beforeAll(async () => {
      const created = await testApp
        .http()
        .post('/api/companies')
        .set(auth())
        .send({ name: uniqueName('ООО Ромашка'), phones: [`+7 (495) ${a}-${b}-${c}`] })
        .expect(201);
      companyId = created.body.id;
      expect(created.body.phones).toEqual([expect.objectContaining({ normalizedNumber: e164 })]);
    });

    it.each([
      `+7 (495) ${a}-${b}-${c}`,
      `8 (495) ${a}-${b}-${c}`,
      `8${'495'}${local}`,
      `7495${local}`,
      `+7495${local}`,
      `+7 495 ${a} ${b} ${c}`,
      `8-495-${a}-${b}-${c}`,
      `495 ${a} ${b} ${c}`,
      `(495)${a}${b}${c}`,
      `+7.495.${a}.${b}.${c}`,
      `007 495 ${local}`,
      `8 10 7 495 ${local}`,
      `tel:+7495${local}`,
      ` +7 (495) ${a}-${b}-${c} `,
    ])('finds the company from %j', async (number) => {
      const response = await testApp.http().get('/api/companies/lookup').query({ number }).set(auth()).expect(200);
      expect(response.body).toMatchObject({ number, normalizedNumber: e164, company: { id: companyId } });
    });

    it('returns company null for an unknown number and keeps short extensions as they are', async () => {
      const unknown = await testApp.http().get('/api/companies/lookup').query({ number: '+1 212 555 0100' }).set(auth()).expect(200);
      expect(unknown.body).toEqual({ number: '+1 212 555 0100', normalizedNumber: '+12125550100', company: null });
      const extension = await testApp.http().get('/api/companies/lookup').query({ number: '1001' }).set(auth()).expect(200);
      expect(extension.body).toMatchObject({ normalizedNumber: '1001', company: null });
    });

    it('rejects text that is not a number (400) and a missing number (400)', async () => {
      expectErrorShape((await testApp.http().get('/api/companies/lookup').query({ number: 'hello' }).set(auth()).expect(400)).body, 400, 'VALIDATION_FAILED');
      expectErrorShape((await testApp.http().get('/api/companies/lookup').set(auth()).expect(400)).body, 400, 'VALIDATION_FAILED');
    });

    it('is open to operators (read) but creation is not (403)', async () => {
      const operator = await createUser(testApp, token, { username: uniqueName('op') });
      await testApp.http().get('/api/companies/lookup').query({ number: e164 }).set({ Authorization: `Bearer ${operator.token}` }).expect(200);
      await testApp.http().post('/api/companies').set({ Authorization: `Bearer ${operator.token}` }).send({ name: uniqueName('x') }).expect(403);
    });
  });

  it('CRUD with 409 for a duplicate name (any case), INN or phone', async () => {
    const name = uniqueName('Альфа');
    const inn = String(Date.now()).slice(-10);
    const local = uniqueLandline();
    const created = await testApp.http().post('/api/companies').set(auth()).send({ name, inn, email: 'Office@Alfa.RU', notes: 'VIP', phones: [`8495${local}`, `+7 495 ${local}`] }).expect(201);
    expect(created.body).toMatchObject({ name, inn, email: 'office@alfa.ru', notes: 'VIP', phones: [{ phoneNumber: `8495${local}`, normalizedNumber: `+7495${local}` }] });

    expectErrorShape((await testApp.http().post('/api/companies').set(auth()).send({ name: name.toUpperCase() }).expect(409)).body, 409, 'COMPANY_NAME_TAKEN');
    expectErrorShape((await testApp.http().post('/api/companies').set(auth()).send({ name: uniqueName('b'), inn }).expect(409)).body, 409, 'INN_TAKEN');
    const phoneTaken = await testApp.http().post('/api/companies').set(auth()).send({ name: uniqueName('c'), phones: [`+7 (495) ${local}`] }).expect(409);
    expectErrorShape(phoneTaken.body, 409, 'COMPANY_PHONE_TAKEN');
    expect(phoneTaken.body.details).toEqual({ normalizedNumber: `+7495${local}` });
    expectErrorShape((await testApp.http().post('/api/companies').set(auth()).send({ name: uniqueName('d'), inn: '123' }).expect(400)).body, 400, 'VALIDATION_FAILED');

    const newLocal = uniqueLandline();
    const updated = await testApp.http().patch(`/api/companies/${created.body.id}`).set(auth()).send({ notes: null, phones: [`8 (495) ${newLocal}`] }).expect(200);
    expect(updated.body).toMatchObject({ notes: null, phones: [{ normalizedNumber: `+7495${newLocal}` }] });
    const old = await testApp.http().get('/api/companies/lookup').query({ number: `+7495${local}` }).set(auth()).expect(200);
    expect(old.body.company).toBeNull();

    await testApp.http().delete(`/api/companies/${created.body.id}`).set(auth()).expect(204);
    expectErrorShape((await testApp.http().get(`/api/companies/${created.body.id}`).set(auth()).expect(404)).body, 404, 'COMPANY_NOT_FOUND');
  });

  it('lists with pagination and searches by name, INN or phone', async () => {
    const tag = uniqueName('Бета');
    const local = uniqueLandline();
    for (const suffix of ['1', '2', '3']) {
      await testApp.http().post('/api/companies').set(auth()).send({ name: `${tag} ${suffix}`, phones: suffix === '3' ? [`+7495${local}`] : [] }).expect(201);
    }
    const page = await testApp.http().get('/api/companies').query({ q: tag.toLowerCase(), limit: 2, page: 2 }).set(auth()).expect(200);
    expect(page.body).toMatchObject({ total: 3, page: 2, limit: 2 });
    expect(page.body.items.map((company: { name: string }) => company.name)).toEqual([`${tag} 3`]);
    const byPhone = await testApp.http().get('/api/companies').query({ q: `8 495 ${local}` }).set(auth()).expect(200);
    expect(byPhone.body.items.map((company: { name: string }) => company.name)).toEqual([`${tag} 3`]);
  });

  describe('CSV import', () => {
    it('keeps valid rows and reports invalid and duplicate rows with their line numbers', async () => {
      const tag = uniqueName('Импорт');
      const [l1, l2, l3] = [uniqueLandline(), uniqueLandline(), uniqueLandline()];
      await testApp.http().post('/api/companies').set(auth()).send({ name: `${tag} existing`, phones: [`+7495${l3}`] }).expect(201);
      const csv = [
        'name;phones;inn;email;notes;region',
        `${tag} A;+7 (495) ${l1}|8 495 ${l2};;a@example.com;first;Moscow`,
        `"${tag} B; quoted";;;;`,
        `;+7495${l1};;;`,
        `${tag} C;not-a-phone;;;`,
        `${tag} D;;12345;;`,
        `${tag} E;;;bad-email;`,
        `${tag} a;;;;`,
        `${tag} F;8495${l2};;;`,
        `${tag} G;+7495${l3};;;`,
        `${tag.toUpperCase()} EXISTING;;;;`,
        '',
        `${tag} H;"1001";;;"multi`,
        `line note"`,
      ].join('\r\n');
      const response = await testApp.http().post('/api/companies/import').set(auth()).set('Content-Type', 'text/csv').send(csv).expect(201);
      expect(response.body.created).toBe(3);
      expect(response.body.ignoredColumns).toEqual(['region']);
      expect(response.body.errors).toEqual([
        { row: 4, reason: 'name is empty' },
        { row: 5, reason: 'phone "not-a-phone" is not a phone number' },
        { row: 6, reason: 'INN "12345" must be 10 or 12 digits' },
        { row: 7, reason: 'email "bad-email" is not an email address' },
      ]);
      expect(response.body.duplicates).toEqual([
        { row: 8, reason: 'same name as row 2' },
        { row: 9, reason: 'same phone as row 2' },
        { row: 10, reason: `phone +7495${l3} already belongs to a company` },
        { row: 11, reason: `a company named "${tag.toUpperCase()} EXISTING" already exists` },
      ]);
      const a = await testApp.http().get('/api/companies/lookup').query({ number: `8 (495) ${l2}` }).set(auth()).expect(200);
      expect(a.body.company).toMatchObject({ name: `${tag} A`, email: 'a@example.com', notes: 'first' });
      expect(a.body.company.phones.map((phone: { normalizedNumber: string }) => phone.normalizedNumber)).toEqual([`+7495${l1}`, `+7495${l2}`]);
      const list = await testApp.http().get('/api/companies').query({ q: tag, limit: 10 }).set(auth()).expect(200);
      expect(list.body.items.map((company: { name: string }) => company.name).sort()).toEqual(
        [`${tag} A`, `${tag} B; quoted`, `${tag} H`, `${tag} existing`].sort(),
      );
      expect(list.body.items.find((company: { name: string }) => company.name === `${tag} H`).notes).toBe('multi\nline note');
    });

    it('accepts a multipart upload with a UTF-8 BOM and comma delimiter', async () => {
      const tag = uniqueName('Multipart');
      const csv = `\uFEFFName,Phones,INN\n${tag} One,"+7 (495) ${uniqueLandline()}; 8 800 ${uniqueLandline()}",\n`;
      const response = await testApp.http().post('/api/companies/import').set(auth()).attach('file', Buffer.from(csv, 'utf8'), 'companies.csv').expect(201);
      expect(response.body).toMatchObject({ created: 1, errors: [], duplicates: [] });
      const company = await testApp.http().get(`/api/companies/${response.body.createdIds[0]}`).set(auth()).expect(200);
      expect(company.body.phones).toHaveLength(2);
    });

    it('rejects a file without the required columns, a broken CSV, and a body that is neither', async () => {
      const noColumns = await testApp.http().post('/api/companies/import').set(auth()).set('Content-Type', 'text/csv').send('title,number\nA,1').expect(400);
      expectErrorShape(noColumns.body, 400, 'INVALID_CSV');
      expect(noColumns.body.message).toContain('missing: name, phones');
      const broken = await testApp.http().post('/api/companies/import').set(auth()).set('Content-Type', 'text/csv').send('name,phones\n"A,1\n').expect(400);
      expectErrorShape(broken.body, 400, 'INVALID_CSV');
      const json = await testApp.http().post('/api/companies/import').set(auth()).send({ csv: 'name,phones' }).expect(415);
      expectErrorShape(json.body, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });
});
