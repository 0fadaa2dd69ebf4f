// Package natsbroker is a topics.Broker over NATS with JetStream, for running
// the chat demo as several nodes that share rooms, and keeping each room's
// recent history so that a client can resume without loss on any node.
//
// # Storage
//
// One JetStream stream (Config.Stream) holds every topic: topic T is the
// subject Prefix+"."+T, the stream takes Prefix+".>", and MaxMsgsPerSubject
// (Config.History) keeps each topic's newest messages, the oldest dropped
// first. In a cluster every message is held by three servers (Config.Replicas,
// 3 by default there, 1 on a lone server); memory storage by default, file
// storage with a data directory.
//
// Publish returns once JetStream acknowledged the message, that is once a
// majority of its replicas stored it: losing any one server of three loses no
// acknowledged message. A publication not acknowledged in time (a stream
// leader being elected) is sent again with the same Nats-Msg-Id, which
// JetStream's duplicate window turns into one stored message.
//
// # Delivery
//
// Subscriptions read the stream through JetStream ordered consumers, not
// through plain NATS subscriptions: only the stream knows a message's
// sequence (Message.Seq), and a plain subscriber could see a message the
// stream never stored, so that live and history would disagree. An ordered
// consumer is rebuilt by the client after the last sequence it delivered
// when a message goes missing, the server holding it stops answering or the
// connection comes back; a subscription thus survives the loss of a server
// with no gap and no duplicate. Its start is always an explicit sequence:
// DeliverNew, rebuilt before its first message, would start at the new end
// again and skip what was stored in between.
//
// # Resume
//
// SubscribeAfter(pattern, S, deliver) delivers every retained message with a
// sequence above S, then the live ones. It is one ordered consumer starting
// at S+1, chosen over "subscribe live, buffer, fetch the history, drop the
// live ones up to the history's last" because history and live are then one
// sequence-ordered read of one server-side cursor: there is no hand-over to
// get wrong and no buffer to bound. A node serving many resuming clients of
// a room keeps one shared subscription per room instead and gives each
// joiner History(topic, S, L), where L is the last sequence the shared
// subscription delivered before the joiner was added: the hand-over then has
// an exact boundary, not a guess.
//
// # Failure
//
// Connect fails at once with ErrUnreachable when no NATS server answers at
// Config.URL, and with ErrNoJetStream when the server has no JetStream; a
// node exits with that error. A connection lost while running is reported
// through Config.OnLost (and its return through Config.OnRestored) while
// the client keeps reconnecting. The chat node then closes its WebSockets
// with 1012 (Service Restart): the node cannot carry messages, other nodes
// may, and 1012 tells a client to reconnect now, through the load balancer
// to another node, resuming with its last sequence. 1013 (Try Again Later)
// asks the client to back off instead and suits overload, not a lost broker.
//
// # Embedded servers
//
// StartServer runs nats-server in the process. Its zero ServerConfig is the
// single-node default: no port opened, JetStream in memory, reached through
// Config.Server over an in-process connection. With ClusterListen and
// Routes it joins a cluster; a clustered server also accepts clients on a
// loopback port, because nats-server starts its routes only after its
// client listener.
package natsbroker
