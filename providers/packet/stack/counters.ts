/** Counters of the network layer and the non-TCP protocols, grouped as `Stack.counters` exposes them. */
import { WireCounters } from "../wire/counters.js";

export class LinkInputCounters {
  rxFrames = 0;
  /** Unicast frames for another MAC (a veth or hub shows us everyone's traffic) and multicast frames. */
  notOurMac = 0;
  unknownEtherType = 0;
}

export class ArpCounters {
  requestsReceived = 0;
  repliesReceived = 0;
  requestsSent = 0;
  repliesSent = 0;
  /** New cache entries from a request or reply addressed to us. */
  entriesLearned = 0;
  /** Existing entries refreshed or changed by any ARP packet, solicited or not (RFC 826 merge). */
  entriesUpdated = 0;
  /** Packets neither for us nor about a host we know: gratuitous ARP for strangers, others' requests. */
  ignored = 0;
  /** Someone else claims our IPv4 address. */
  addressConflicts = 0;
  /** Addresses given up after the configured number of unanswered requests. */
  resolutionFailures = 0;
  /** Frames queued while their next hop was being resolved. */
  framesQueued = 0;
  /** Frames refused because the wait queue of their next hop was full. */
  queueOverflows = 0;
  /** Queued frames dropped because resolution failed. */
  unresolvedDropped = 0;
  /** Entries evicted because the cache was full. */
  evictions = 0;
}

export class Ipv4Counters {
  received = 0;
  delivered = 0;
  /** Packets whose destination is neither our address nor a broadcast address (we do not forward). */
  notForUs = 0;
  /**
   * Martian sources (route.ts martianSource), dropped before any transport sees them, by reason:
   * our own address from the wire (a spoof; "land" when the port is ours too), 127/8, 0/8, the
   * limited or subnet broadcast, 224/4, and 240/4 other than 255.255.255.255.
   */
  martianOwnAddress = 0;
  martianLoopback = 0;
  martianThisNetwork = 0;
  martianBroadcast = 0;
  martianMulticast = 0;
  martianReserved = 0;
  unknownProtocol = 0;
  sent = 0;
  outNoRoute = 0;
  outBadSource = 0;
  /** Payloads that cannot fit an IPv4 packet at all. */
  outTooBig = 0;
  /** Payloads larger than the MTU with DF set: dropped, not fragmented. */
  outNeedsFragmentation = 0;
  /** Sent packets dropped because ARP failed, reported to their transport as host unreachable. */
  outUnresolvedReported = 0;
  fragmentsSent = 0;
  /** Sent to our own address and looped back through the clock. */
  loopedBack = 0;
  fragmentsReceived = 0;
  reassembled = 0;
  reassemblyTimeouts = 0;
  /** Datagrams dropped whole because two fragments overlapped with different extents. */
  reassemblyOverlaps = 0;
  reassemblyDuplicates = 0;
  /** Fragments that cannot belong to a valid datagram (odd length before the end, past 64 KiB, two ends). */
  reassemblyMalformed = 0;
  /** Partial datagrams thrown away to stay within the reassembly memory bound. */
  reassemblyEvicted = 0;
}

export class IcmpCounters {
  received = 0;
  echoRequestsReceived = 0;
  echoRepliesSent = 0;
  echoRequestsSent = 0;
  echoRepliesReceived = 0;
  /** Echo requests to a broadcast address, which we do not answer (as Linux by default). */
  broadcastEchoIgnored = 0;
  unreachableSent = 0;
  timeExceededSent = 0;
  /** Errors not sent because RFC 1122 §3.2.2 forbids an error about that packet. */
  errorsSuppressed = 0;
  errorsRateLimited = 0;
  errorsReceived = 0;
  /** Received errors handed to a transport's icmpError. */
  errorsDelivered = 0;
  /** Received errors quoting too little, or not quoting one of our packets. */
  errorsMalformed = 0;
  otherTypes = 0;
}

export class UdpCounters {
  received = 0;
  delivered = 0;
  /** Datagrams for a port nobody has bound (answered with ICMP port unreachable unless broadcast). */
  noPort = 0;
  /**
   * Datagrams handed to a socket (counted in `delivered`) that its user then dropped because its
   * receive buffer was full (/dev/rawudp: XTI_RCVBUF); Linux's RcvbufErrors.
   */
  receiveBufferErrors = 0;
  sent = 0;
  sendFailed = 0;
  errorsDelivered = 0;
}

export class StackCounters {
  readonly wire = new WireCounters();
  readonly link = new LinkInputCounters();
  readonly arp = new ArpCounters();
  readonly ip = new Ipv4Counters();
  readonly icmp = new IcmpCounters();
  readonly udp = new UdpCounters();
}
