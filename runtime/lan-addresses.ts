// The machine's addresses as phones on the same network reach it: the HTTPS certificate names them and
// the join link uses the first. Container, VPN and virtual-machine bridges come last: a phone on the
// venue Wi-Fi cannot reach them.
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

/** Interfaces a phone on the LAN is unlikely to reach this machine through. */
const VIRTUAL_INTERFACE = /^(docker|br-|veth|virbr|vmnet|vboxnet|tun|tap|wg|zt|tailscale|utun|lxc|cni|flannel)/;

function isPrivateIpv4(address: string): boolean {
  const [a = 0, b = 0] = address.split('.').map(Number);
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

/**
 * Non-loopback IPv4 addresses, best first: physical interfaces before virtual ones, private ranges
 * (what venue Wi-Fi hands out) before others. IPv6 is left out of links: phones and QR readers handle
 * `https://[fd00::2]:8443` poorly, and every LAN that has IPv6 has IPv4 too.
 */
export function lanAddresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string[] {
  const found: { address: string; rank: number }[] = [];
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      if (info.internal || info.family !== 'IPv4' || info.address.startsWith('169.254.')) continue;
      const rank = (VIRTUAL_INTERFACE.test(name) ? 2 : 0) + (isPrivateIpv4(info.address) ? 0 : 1);
      found.push({ address: info.address, rank });
    }
  }
  return found.sort((x, y) => x.rank - y.rank).map((f) => f.address);
}
