import { describe, expect, it } from 'vitest';
import { roleAllows } from './roles.js';

describe('roleAllows', () => {
  it('treats viewer < analyst < author < admin as a ladder', () => {
    expect(roleAllows('admin', 'viewer')).toBe(true);
    expect(roleAllows('author', 'analyst')).toBe(true);
    expect(roleAllows('analyst', 'author')).toBe(false);
    expect(roleAllows('viewer', 'analyst')).toBe(false);
  });

  it('lets ingest keys post alerts and nothing else; analysts may post alerts too', () => {
    expect(roleAllows('ingest', 'ingest')).toBe(true);
    expect(roleAllows('analyst', 'ingest')).toBe(true);
    expect(roleAllows('viewer', 'ingest')).toBe(false);
    expect(roleAllows('ingest', 'viewer')).toBe(false);
  });

  it('lets export keys read the export stream and nothing else; admins may read it too', () => {
    expect(roleAllows('export', 'export')).toBe(true);
    expect(roleAllows('admin', 'export')).toBe(true);
    expect(roleAllows('author', 'export')).toBe(false);
    expect(roleAllows('viewer', 'export')).toBe(false);
    expect(roleAllows('export', 'viewer')).toBe(false);
    expect(roleAllows('export', 'ingest')).toBe(false);
  });
});
