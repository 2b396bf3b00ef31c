import { expectErrorShape, loginAdmin, startTestApp, TestApp } from './support/test-app';
import { uniqueName } from './support/test-database';

/** A mobile number unique to this run, in RU format. */
function uniqueMobile(): { display: string; e164: string } {
  const digits = String(Date.now() % 10_000_000).padStart(7, '0');
  return { display: `+7 (916) ${digits.slice(0, 3)}-${digits.slice(3, 5)}-${digits.slice(5)}`, e164: `+7916${digits}` };
}

describe('users API', () => {
  let testApp: TestApp;
  let token: string;
  const auth = () => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    testApp = await startTestApp();
    token = await loginAdmin(testApp);
  });

  afterAll(() => testApp?.close());

  it('creates a user with phones: numbers normalised, extensions kept, username and email lower-cased', async () => {
    const username = uniqueName('Ivanov');
    const mobile = uniqueMobile();
    const extension = String(1000 + Math.floor(Math.random() * 8999));
    const response = await testApp
      .http()
      .post('/api/users')
      .set(auth())
      .send({
        username,
        email: `${username}@Example.COM`,
        password: 'password-1234',
        firstName: 'Иван',
        lastName: 'Иванов',
        phones: [
          { phoneNumber: extension, phoneType: 'extension' },
          { phoneNumber: mobile.display, phoneType: 'mobile' },
        ],
      })
      .expect(201);
    expect(response.body).toMatchObject({
      username: username.toLowerCase(),
      email: `${username.toLowerCase()}@example.com`,
      firstName: 'Иван',
      role: 'operator',
      status: 'offline',
      phones: [
        { phoneNumber: extension, phoneType: 'extension', normalizedNumber: extension },
        { phoneNumber: mobile.display, phoneType: 'mobile', normalizedNumber: mobile.e164 },
      ],
    });
    expect(response.body).not.toHaveProperty('passwordHash');
    const fetched = await testApp.http().get(`/api/users/${response.body.id}`).set(auth()).expect(200);
    expect(fetched.body).toEqual(response.body);
  });

  it('answers 409 for a duplicate username, email or phone, with a code for each', async () => {
    const username = uniqueName('dup');
    const mobile = uniqueMobile();
    await testApp
      .http()
      .post('/api/users')
      .set(auth())
      .send({ username, email: `${username}@example.com`, password: 'password-1234', phones: [{ phoneNumber: mobile.display, phoneType: 'mobile' }] })
      .expect(201);

    const sameName = await testApp.http().post('/api/users').set(auth()).send({ username: username.toUpperCase(), email: `${uniqueName('e')}@example.com`, password: 'password-1234' }).expect(409);
    expectErrorShape(sameName.body, 409, 'USERNAME_TAKEN');
    const sameEmail = await testApp.http().post('/api/users').set(auth()).send({ username: uniqueName('u'), email: `${username}@EXAMPLE.com`, password: 'password-1234' }).expect(409);
    expectErrorShape(sameEmail.body, 409, 'EMAIL_TAKEN');
    const samePhone = await testApp
      .http()
      .post('/api/users')
      .set(auth())
      .send({ username: uniqueName('u'), email: `${uniqueName('e')}@example.com`, password: 'password-1234', phones: [{ phoneNumber: `8${mobile.e164.slice(2)}`, phoneType: 'work' }] })
      .expect(409);
    expectErrorShape(samePhone.body, 409, 'PHONE_TAKEN');
    expect(samePhone.body.details).toEqual({ normalizedNumber: mobile.e164 });
  });

  it('updates fields and replaces phones; a duplicate on update is a 409 too', async () => {
    const a = await testApp.http().post('/api/users').set(auth()).send({ username: uniqueName('a'), email: `${uniqueName('a')}@example.com`, password: 'password-1234' }).expect(201);
    const b = await testApp.http().post('/api/users').set(auth()).send({ username: uniqueName('b'), email: `${uniqueName('b')}@example.com`, password: 'password-1234' }).expect(201);
    const mobile = uniqueMobile();
    const updated = await testApp
      .http()
      .patch(`/api/users/${a.body.id}`)
      .set(auth())
      .send({ lastName: 'Петров', role: 'supervisor', phones: [{ phoneNumber: mobile.display, phoneType: 'mobile' }] })
      .expect(200);
    expect(updated.body).toMatchObject({ lastName: 'Петров', role: 'supervisor', phones: [{ normalizedNumber: mobile.e164 }] });
    const cleared = await testApp.http().patch(`/api/users/${a.body.id}`).set(auth()).send({ phones: [], lastName: null }).expect(200);
    expect(cleared.body).toMatchObject({ lastName: null, phones: [] });
    const conflict = await testApp.http().patch(`/api/users/${b.body.id}`).set(auth()).send({ username: a.body.username }).expect(409);
    expectErrorShape(conflict.body, 409, 'USERNAME_TAKEN');
  });

  it('rejects unknown fields, bad values and numbers that are not phone numbers (400 with field details)', async () => {
    const unknownField = await testApp.http().post('/api/users').set(auth()).send({ username: uniqueName('x'), email: 'x@example.com', password: 'password-1234', isAdmin: true }).expect(400);
    expectErrorShape(unknownField.body, 400, 'VALIDATION_FAILED');
    expect(unknownField.body.details).toEqual([{ field: 'isAdmin', messages: ['property isAdmin should not exist'] }]);
    const bad = await testApp.http().post('/api/users').set(auth()).send({ username: 'a b', email: 'not-an-email', password: 'short', role: 'root' }).expect(400);
    expect(bad.body.details.map((detail: { field: string }) => detail.field).sort()).toEqual(['email', 'password', 'role', 'username']);
    const badPhone = await testApp
      .http()
      .post('/api/users')
      .set(auth())
      .send({ username: uniqueName('p'), email: `${uniqueName('p')}@example.com`, password: 'password-1234', phones: [{ phoneNumber: 'call me', phoneType: 'mobile' }] })
      .expect(400);
    expect(badPhone.body.details).toEqual([{ field: 'phones.0.phoneNumber', messages: ['is not a phone number or extension'] }]);
    const nested = await testApp
      .http()
      .post('/api/users')
      .set(auth())
      .send({ username: uniqueName('n'), email: `${uniqueName('n')}@example.com`, password: 'password-1234', phones: [{ phoneNumber: '1001', phoneType: 'fax' }] })
      .expect(400);
    expect(nested.body.details).toEqual([expect.objectContaining({ field: 'phones.0.phoneType' })]);
  });

  it('lists with pagination and searches by name, email or a phone in any format', async () => {
    const tag = uniqueName('listed');
    const mobile = uniqueMobile();
    for (const [index, suffix] of ['a', 'b', 'c'].entries()) {
      await testApp
        .http()
        .post('/api/users')
        .set(auth())
        .send({
          username: `${tag}_${suffix}`,
          email: `${tag}_${suffix}@example.com`,
          password: 'password-1234',
          phones: index === 1 ? [{ phoneNumber: mobile.display, phoneType: 'mobile' }] : [],
        })
        .expect(201);
    }
    const page1 = await testApp.http().get('/api/users').query({ q: tag, limit: 2, page: 1 }).set(auth()).expect(200);
    expect(page1.body).toMatchObject({ total: 3, page: 1, limit: 2 });
    expect(page1.body.items.map((user: { username: string }) => user.username)).toEqual([`${tag}_a`, `${tag}_b`]);
    const page2 = await testApp.http().get('/api/users').query({ q: tag, limit: 2, page: 2 }).set(auth()).expect(200);
    expect(page2.body.items.map((user: { username: string }) => user.username)).toEqual([`${tag}_c`]);
    const byPhone = await testApp.http().get('/api/users').query({ q: `8${mobile.e164.slice(2)}` }).set(auth()).expect(200);
    expect(byPhone.body.items.map((user: { username: string }) => user.username)).toEqual([`${tag}_b`]);
    expectErrorShape((await testApp.http().get('/api/users').query({ limit: 1000 }).set(auth()).expect(400)).body, 400, 'VALIDATION_FAILED');
  });

  it('deletes users (204, then 404) but never the last admin (409)', async () => {
    const user = await testApp.http().post('/api/users').set(auth()).send({ username: uniqueName('del'), email: `${uniqueName('del')}@example.com`, password: 'password-1234' }).expect(201);
    await testApp.http().delete(`/api/users/${user.body.id}`).set(auth()).expect(204);
    expectErrorShape((await testApp.http().get(`/api/users/${user.body.id}`).set(auth()).expect(404)).body, 404, 'USER_NOT_FOUND');
    expectErrorShape((await testApp.http().get('/api/users/abc').set(auth()).expect(400)).body, 400, 'VALIDATION_FAILED');

    const admins = await testApp.http().get('/api/users').query({ limit: 100 }).set(auth()).expect(200);
    const otherAdmins = admins.body.items.filter((u: { role: string; username: string }) => u.role === 'admin' && u.username !== 'admin');
    for (const other of otherAdmins) await testApp.http().patch(`/api/users/${other.id}`).set(auth()).send({ role: 'operator' }).expect(200);
    const me = await testApp.http().get('/api/auth/me').set(auth()).expect(200);
    expectErrorShape((await testApp.http().delete(`/api/users/${me.body.id}`).set(auth()).expect(409)).body, 409, 'LAST_ADMIN');
    expectErrorShape((await testApp.http().patch(`/api/users/${me.body.id}`).set(auth()).send({ role: 'operator' }).expect(409)).body, 409, 'LAST_ADMIN');
    expectErrorShape((await testApp.http().patch(`/api/users/${me.body.id}`).set(auth()).send({ active: false }).expect(409)).body, 409, 'LAST_ADMIN');
  });

  it('deactivates a user: no login, their token refused at once; reactivated, both work again', async () => {
    const username = uniqueName('pause');
    const created = await testApp.http().post('/api/users').set(auth()).send({ username, email: `${username}@example.com`, password: 'password-1234' }).expect(201);
    expect(created.body.active).toBe(true);
    const userToken = (await testApp.http().post('/api/auth/login').send({ username, password: 'password-1234' }).expect(200)).body.accessToken as string;

    const paused = await testApp.http().patch(`/api/users/${created.body.id}`).set(auth()).send({ active: false }).expect(200);
    expect(paused.body).toMatchObject({ active: false, status: 'offline' });
    expectErrorShape((await testApp.http().get('/api/auth/me').set('Authorization', `Bearer ${userToken}`).expect(401)).body, 401, 'USER_DEACTIVATED');
    expectErrorShape((await testApp.http().post('/api/auth/login').send({ username, password: 'password-1234' }).expect(401)).body, 401, 'USER_DEACTIVATED');
    // A wrong password says nothing about the account's state.
    expectErrorShape((await testApp.http().post('/api/auth/login').send({ username, password: 'wrong-password' }).expect(401)).body, 401, 'INVALID_CREDENTIALS');
    expectErrorShape((await testApp.http().patch(`/api/users/${created.body.id}`).set(auth()).send({ active: 'no' }).expect(400)).body, 400, 'VALIDATION_FAILED');

    await testApp.http().patch(`/api/users/${created.body.id}`).set(auth()).send({ active: true }).expect(200);
    await testApp.http().get('/api/auth/me').set('Authorization', `Bearer ${userToken}`).expect(200);
    await testApp.http().post('/api/auth/login').send({ username, password: 'password-1234' }).expect(200);
  });
});
