-- OPTIONAL: the table Asterisk's cdr_pgsql writes (cdr_pgsql.conf: dbname asterisk_cdr, table cdr).
-- cdr_pgsql reads the table's columns when it loads and fills those it knows, so columns may be left out.
-- Times are written in UTC (timezone = UTC in cdr_pgsql.conf). Run as a PostgreSQL superuser:
--   CREATE ROLE asterisk_cdr LOGIN PASSWORD '...';  CREATE DATABASE asterisk_cdr OWNER asterisk_cdr;
--   psql -U asterisk_cdr -d asterisk_cdr -f docker/asterisk/cdr-pgsql.sql
CREATE TABLE IF NOT EXISTS cdr (
  id          bigserial PRIMARY KEY,
  start       timestamp NOT NULL,
  answer      timestamp,
  "end"       timestamp,
  clid        varchar(80) NOT NULL DEFAULT '',
  src         varchar(80) NOT NULL DEFAULT '',
  dst         varchar(80) NOT NULL DEFAULT '',
  dcontext    varchar(80) NOT NULL DEFAULT '',
  channel     varchar(80) NOT NULL DEFAULT '',
  dstchannel  varchar(80) NOT NULL DEFAULT '',
  lastapp     varchar(80) NOT NULL DEFAULT '',
  lastdata    varchar(80) NOT NULL DEFAULT '',
  duration    integer NOT NULL DEFAULT 0,
  billsec     integer NOT NULL DEFAULT 0,
  disposition varchar(45) NOT NULL DEFAULT '',
  amaflags    varchar(45) NOT NULL DEFAULT '',
  accountcode varchar(80) NOT NULL DEFAULT '',
  peeraccount varchar(80) NOT NULL DEFAULT '',
  uniqueid    varchar(150) NOT NULL DEFAULT '',
  linkedid    varchar(150) NOT NULL DEFAULT '',
  userfield   varchar(256) NOT NULL DEFAULT '',
  sequence    integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS cdr_start_idx ON cdr (start);
CREATE INDEX IF NOT EXISTS cdr_linkedid_idx ON cdr (linkedid);
CREATE INDEX IF NOT EXISTS cdr_uniqueid_idx ON cdr (uniqueid);
