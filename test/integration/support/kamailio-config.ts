import { isIP } from 'node:net';
import { PortierError } from '../../../src/util/portier-error.js';

/** A SIP account the generated registrar accepts (digest username = AOR user part). */
export interface KamailioUser {
  username: string;
  password: string;
}

/** PEM files for Kamailio's TLS listener. */
export interface KamailioTlsFiles {
  certPath: string;
  keyPath: string;
  caPath: string;
}

/** What the generated Kamailio listens on and how its registrar/proxy behaves. */
export interface KamailioConfigOptions {
  udpPort?: number;
  tcpPort?: number;
  tlsPort?: number;
  /** Also listen on ::1 (same ports). */
  ipv6?: boolean;
  /** SIP domain and digest realm; an IP address or a host name (added as an alias). Default "127.0.0.1". */
  domain?: string;
  users?: KamailioUser[];
  /** Required when tlsPort is set. */
  tls?: KamailioTlsFiles;
  minExpires?: number;
  maxExpires?: number;
  defaultExpires?: number;
  /**
   * Challenge initial non-REGISTER requests with 407 (default true). Turn off to let an
   * unauthenticated peer (e.g. a SIPp UAC) call a registered user.
   */
  proxyAuth?: boolean;
  /** Kamailio `debug` level: 1 warnings, 2 info (default), 3 debug. */
  debugLevel?: number;
}

const USERNAME = /^[A-Za-z0-9._~!*'()+-]+$/;
// Kamailio's cfg lexer treats `\` and `"` specially inside strings and `$` as a pseudo-variable
// marker in some contexts; keeping them out keeps the generated file unambiguous.
const PASSWORD = /^[\x20-\x7e]+$/;
const FORBIDDEN_IN_PASSWORD = /["\\$]/;
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** Raised when harness options cannot be turned into a Kamailio configuration. */
export class KamailioConfigError extends PortierError {
  constructor(message: string) {
    super('PORTIER_TEST_ERR_KAMAILIO_CONFIG', message);
  }
}

function checkPort(name: string, port: number | undefined): void {
  if (port === undefined) return;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new KamailioConfigError(`${name} must be an integer 1..65535, got ${String(port)}`);
  }
}

function checkExpires(name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 0) {
    throw new KamailioConfigError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
}

/** Validates options; throws KamailioConfigError with an actionable message. */
export function validateKamailioOptions(options: KamailioConfigOptions): void {
  const { udpPort, tcpPort, tlsPort } = options;
  checkPort('udpPort', udpPort);
  checkPort('tcpPort', tcpPort);
  checkPort('tlsPort', tlsPort);
  if (udpPort === undefined && tcpPort === undefined && tlsPort === undefined) {
    throw new KamailioConfigError('at least one of udpPort, tcpPort, tlsPort is required');
  }
  // UDP and TCP may share a number; TLS must not collide with TCP (both are stream listeners).
  if (tcpPort !== undefined && tcpPort === tlsPort) {
    throw new KamailioConfigError('tcpPort and tlsPort must differ');
  }
  if (tlsPort !== undefined && options.tls === undefined) {
    throw new KamailioConfigError('tlsPort needs tls: { certPath, keyPath, caPath }');
  }
  const domain = options.domain ?? '127.0.0.1';
  if (isIP(domain) === 0 && !HOSTNAME.test(domain)) {
    throw new KamailioConfigError(`domain must be an IP address or host name, got ${JSON.stringify(domain)}`);
  }
  checkExpires('minExpires', options.minExpires);
  checkExpires('maxExpires', options.maxExpires);
  checkExpires('defaultExpires', options.defaultExpires);
  const seen = new Set<string>();
  for (const user of options.users ?? []) {
    if (!USERNAME.test(user.username)) {
      throw new KamailioConfigError(`username ${JSON.stringify(user.username)} must match ${String(USERNAME)}`);
    }
    if (!PASSWORD.test(user.password) || FORBIDDEN_IN_PASSWORD.test(user.password)) {
      throw new KamailioConfigError(
        `password of ${user.username} must be printable ASCII without '"', '\\' or '$'`,
      );
    }
    if (seen.has(user.username)) throw new KamailioConfigError(`duplicate user ${user.username}`);
    seen.add(user.username);
  }
}

function listenLines(options: KamailioConfigOptions): string[] {
  const hosts = options.ipv6 === true ? ['127.0.0.1', '[::1]'] : ['127.0.0.1'];
  const lines: string[] = [];
  for (const host of hosts) {
    if (options.udpPort !== undefined) lines.push(`listen=udp:${host}:${options.udpPort}`);
    if (options.tcpPort !== undefined) lines.push(`listen=tcp:${host}:${options.tcpPort}`);
    if (options.tlsPort !== undefined) lines.push(`listen=tls:${host}:${options.tlsPort}`);
  }
  return lines;
}

/** Renders tls.cfg for Kamailio's tls module: server side uses the given cert, no client-cert checks. */
export function renderKamailioTlsConfig(tls: KamailioTlsFiles): string {
  return [
    '[server:default]',
    'method = TLSv1.2+',
    'verify_certificate = no',
    'require_certificate = no',
    `private_key = ${tls.keyPath}`,
    `certificate = ${tls.certPath}`,
    `ca_list = ${tls.caPath}`,
    '',
    // Kamailio opens client TLS connections only when it cannot reuse the callee's own
    // connection; test peers use self-signed material, so do not verify them.
    '[client:default]',
    'method = TLSv1.2+',
    'verify_certificate = no',
    'require_certificate = no',
    '',
  ].join('\n');
}

/**
 * Renders kamailio.cfg: a stateful proxy + in-memory registrar with digest auth, NAT-aware
 * contact handling (received / contact alias), record-routing and loose routing.
 */
export function renderKamailioConfig(options: KamailioConfigOptions, tlsConfigPath?: string): string {
  validateKamailioOptions(options);
  const domain = options.domain ?? '127.0.0.1';
  const realm = domain;
  const stream = options.tcpPort !== undefined || options.tlsPort !== undefined;
  const tlsOn = options.tlsPort !== undefined;
  const proxyAuth = options.proxyAuth ?? true;
  const seeds = (options.users ?? [])
    .map((u) => `\t$sht(users=>${u.username}) = "${u.password}";`)
    .join('\n');

  const registrarParams: string[] = [];
  if (options.minExpires !== undefined) {
    registrarParams.push(`modparam("registrar", "min_expires", ${options.minExpires})`);
    // RFC 3261 §10.3 step 7: too-brief expiry is refused with 423 and Min-Expires.
    registrarParams.push('modparam("registrar", "min_expires_mode", 1)');
  } else {
    registrarParams.push('modparam("registrar", "min_expires", 0)');
  }
  if (options.maxExpires !== undefined) {
    registrarParams.push(`modparam("registrar", "max_expires", ${options.maxExpires})`);
  }
  if (options.defaultExpires !== undefined) {
    registrarParams.push(`modparam("registrar", "default_expires", ${options.defaultExpires})`);
  }

  return `#!KAMAILIO
# Generated by Portier's integration harness (test/integration/support/kamailio-config.ts).

#!define FLT_NATS 5
#!define FLB_NATB 6

debug=${options.debugLevel ?? 2}
log_stderror=yes
children=2
tcp_children=2
auto_aliases=no
dns=no
rev_dns=no
use_dns_cache=no
server_header="Server: portier-test-kamailio"
user_agent_header="User-Agent: portier-test-kamailio"
${stream ? 'tcp_connection_lifetime=3605\ntcp_max_connections=256' : 'disable_tcp=yes'}
${tlsOn ? 'enable_tls=yes' : ''}
${isIP(domain) === 0 ? `alias="${domain}"` : ''}
${listenLines(options).join('\n')}

${tlsOn ? 'loadmodule "tls.so"' : ''}
loadmodule "kex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "auth.so"
loadmodule "nathelper.so"
loadmodule "htable.so"
loadmodule "corex.so"

${tlsOn && tlsConfigPath !== undefined ? `modparam("tls", "config", "${tlsConfigPath}")` : ''}
modparam("tm", "failure_reply_mode", 3)
modparam("tm", "fr_timer", 30000)
modparam("tm", "fr_inv_timer", 120000)
modparam("rr", "enable_full_lr", 0)
modparam("rr", "append_fromtag", 1)
modparam("usrloc", "db_mode", 0)
modparam("usrloc", "nat_bflag", FLB_NATB)
modparam("registrar", "received_avp", "$avp(RECEIVED)")
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
${registrarParams.join('\n')}
modparam("htable", "htable", "users=>size=6;")

${seeds.length > 0 ? `event_route[htable:mod-init] {\n${seeds}\n}` : '# no users: every authentication fails'}

request_route {
	route(REQINIT);
	route(NATDETECT);

	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}

	route(WITHINDLG);

	if (!is_method("ACK")) {
		if (t_precheck_trans()) {
			t_check_trans();
			exit;
		}
		t_check_trans();
	}

	route(AUTH);
	remove_hf("Route");
	if (is_method("INVITE|SUBSCRIBE|REFER")) {
		record_route();
	}

	route(REGISTRAR);

	if ($var(local) == 0) {
		route(RELAY);
	}
	if ($rU == $null) {
		sl_send_reply("484", "Address Incomplete");
		exit;
	}
	route(LOCATION);
}

route[REQINIT] {
	set_reply_no_connect();
	force_rport();
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	# Local when addressed to a listener, or to the bare domain with no port (AORs such as
	# sip:bob@127.0.0.1 reach the proxy through an outbound-proxy setting, not port 5060).
	$var(local) = 0;
	if (uri == myself || ($rd == "${domain}" && $(ru{uri.port}) == "")) {
		$var(local) = 1;
	}
	if (is_method("OPTIONS") && $var(local) == 1 && $rU == $null) {
		sl_send_reply("200", "OK");
		exit;
	}
	if (!sanity_check("17895", "7")) {
		xlog("L_WARN", "malformed SIP request from $proto:$si:$sp\\n");
		exit;
	}
}

# A client is treated as NATed when its Via/Contact do not match where the packet came from;
# its binding then records the source address (fix_nated_register) or its Contact gets an
# alias (set_contact_alias), so requests reach it over the flow it opened (RFC 3581, RFC 5626 spirit).
route[NATDETECT] {
	if (nat_uac_test("147")) {
		setflag(FLT_NATS);
	} else if (is_present_hf("Contact") && $ct != "*" && $(ct{tobody.host}) != $siz) {
		setflag(FLT_NATS);
	}
	if (isflagset(FLT_NATS)) {
		if (is_method("REGISTER")) {
			fix_nated_register();
		} else if (is_first_hop()) {
			set_contact_alias();
		}
	}
}

route[WITHINDLG] {
	if (!has_totag()) return;
	if (loose_route()) {
		if (!isdsturiset()) {
			handle_ruri_alias();
		}
		if (is_method("ACK")) {
			route(NATMANAGE);
		} else if (is_method("NOTIFY")) {
			record_route();
		}
		route(RELAY);
		exit;
	}
	if (is_method("ACK")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}
	sl_send_reply("404", "Not here");
	exit;
}

route[AUTH] {
	if (is_method("REGISTER")) {
		if (!pv_auth_check("${realm}", "$sht(users=>$au)", "0", "1")) {
			xlog("L_INFO", "REGISTER auth failed ($rc) for $au from $proto:$si:$sp\\n");
			auth_challenge("${realm}", "0");
			exit;
		}
		return;
	}
${proxyAuth ? `	if (is_method("ACK|CANCEL|PRACK")) return;
	if (!pv_auth_check("${realm}", "$sht(users=>$au)", "0", "1")) {
		xlog("L_INFO", "$rm auth failed ($rc) for $au from $proto:$si:$sp\\n");
		auth_challenge("${realm}", "0");
		exit;
	}
	consume_credentials();` : '\treturn;'}
}

route[REGISTRAR] {
	if (!is_method("REGISTER")) return;
	if (isflagset(FLT_NATS)) {
		setbflag(FLB_NATB);
	}
	if (!save("location")) {
		sl_reply_error();
	}
	exit;
}

route[LOCATION] {
	if (!lookup("location")) {
		$var(rc) = $rc;
		t_newtran();
		switch ($var(rc)) {
			case -1:
			case -3:
				t_reply("404", "Not Found");
				exit;
			case -2:
				t_reply("405", "Method Not Allowed");
				exit;
		}
	}
	route(RELAY);
}

route[NATMANAGE] {
	if (is_request()) {
		if (has_totag()) {
			if (check_route_param("nat=yes")) {
				setbflag(FLB_NATB);
			}
		}
	}
	if (!(isflagset(FLT_NATS) || isbflagset(FLB_NATB))) return;
	if (is_request()) {
		if (!has_totag()) {
			if (t_is_branch_route()) {
				add_rr_param(";nat=yes");
			}
		}
	}
	if (is_reply()) {
		if (isbflagset(FLB_NATB)) {
			if (is_first_hop()) {
				set_contact_alias();
			}
		}
	}
}

route[RELAY] {
	if (is_method("INVITE|BYE|SUBSCRIBE|UPDATE|REFER")) {
		if (!t_is_set("branch_route")) t_on_branch("MANAGE_BRANCH");
	}
	if (is_method("INVITE|SUBSCRIBE|UPDATE|REFER")) {
		if (!t_is_set("onreply_route")) t_on_reply("MANAGE_REPLY");
	}
	if (!t_relay()) {
		sl_reply_error();
	}
	exit;
}

branch_route[MANAGE_BRANCH] {
	route(NATMANAGE);
}

onreply_route[MANAGE_REPLY] {
	if (status =~ "[12][0-9][0-9]") {
		route(NATMANAGE);
	}
}
`;
}
