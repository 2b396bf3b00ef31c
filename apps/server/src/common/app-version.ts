/** The product version shown in Swagger and by GET /api/meta (kept equal to package.json's). */
export const APP_VERSION = '0.1.0';
