#!/usr/bin/perl
# SPDX-License-Identifier: ISC
# slow_client.pl — a slow-body attacker for test_slow_body.sh, bounded in
# count and time: opens COUNT connections from SOURCE (a loopback address) to
# 127.0.0.1:PORT, sends each a whole POST header announcing LENGTH body bytes,
# then one body byte per connection every INTERVAL seconds, for at most
# DURATION seconds. Prints one line per connection:
#   INDEX STATUS CLOSED_AT
# STATUS is the status code of a response nginx sent ("-" for none),
# CLOSED_AT the seconds from the start until nginx closed the connection
# ("open" if it was still open at the end, when this script closes it).
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time sleep);

my ($port, $source, $count, $interval, $duration, $length, $path) = @ARGV;
die "usage: slow_client.pl PORT SOURCE COUNT INTERVAL DURATION LENGTH PATH\n" unless defined $path;
$SIG{PIPE} = 'IGNORE';

my $start = time;
my (@sockets, @status, @closed, @buffer);
for my $i (0 .. $count - 1) {
	my $socket = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, LocalAddr => $source,
					   Proto => 'tcp', Timeout => 5);
	die "connect $i: $!\n" unless $socket;
	$socket->autoflush(1);
	$sockets[$i] = $socket;
	$status[$i] = '-';
	$closed[$i] = 'open';
	$buffer[$i] = '';
	print $socket "POST $path HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" .
		      "Content-Length: $length\r\n\r\n";
}

# Reads what nginx sent on connection i; records its status and its close.
sub drain {
	my ($i) = @_;
	my $got = sysread($sockets[$i], my $chunk, 4096);
	if ($got) {
		$buffer[$i] .= $chunk;
		$status[$i] = $1 if $status[$i] eq '-' && $buffer[$i] =~ m{^HTTP/1\.[01] (\d{3})};
		return;
	}
	$closed[$i] = sprintf('%.1f', time - $start);
	close($sockets[$i]);
	$sockets[$i] = undef;
}

my $sent = 0;
my $next_byte = $start + $interval;
while (time - $start < $duration) {
	my $select = IO::Select->new(grep { defined } @sockets);
	last unless $select->count;
	my $wait = $next_byte - time;
	$wait = 0 if $wait < 0;
	for my $ready ($select->can_read($wait)) {
		for my $i (0 .. $count - 1) {
			drain($i) if defined $sockets[$i] && $sockets[$i] == $ready;
		}
	}
	if (time >= $next_byte && $sent < $length) {
		for my $i (0 .. $count - 1) {
			next unless defined $sockets[$i];
			syswrite($sockets[$i], 'x') or drain($i);
		}
		$sent++;
		$next_byte += $interval;
	}
}
for my $i (0 .. $count - 1) {
	close($sockets[$i]) if defined $sockets[$i];
	print "$i $status[$i] $closed[$i]\n";
}
