import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, isLoopbackHostHeader } from '../../src/api/bind-address.js';

describe('isLoopbackAddress', () => {
  it('knows loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a), a).toBe(true);
  });
  it('treats wildcard and other addresses as reachable from elsewhere', () => {
    for (const a of ['0.0.0.0', '::', '192.168.1.10', '128.0.0.1', '::ffff:10.0.0.1', 'door.local', '127.example.org']) expect(isLoopbackAddress(a), a).toBe(false);
  });
});

describe('isLoopbackHostHeader', () => {
  it('accepts loopback names with or without a port', () => {
    for (const h of ['127.0.0.1:8080', 'localhost', '[::1]:8080', 'LOCALHOST:1']) expect(isLoopbackHostHeader(h), h).toBe(true);
  });
  it('refuses other names and a missing header', () => {
    for (const h of [undefined, '', 'evil.example', 'evil.example:8080', 'localhost.evil.example', '127.0.0.1.nip.io']) expect(isLoopbackHostHeader(h), String(h)).toBe(false);
  });
});
