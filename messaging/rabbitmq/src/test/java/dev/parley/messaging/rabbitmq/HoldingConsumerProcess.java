package dev.parley.messaging.rabbitmq;

import dev.parley.Parley;
import dev.parley.messaging.MessagingOptions;

/**
 * A consumer process for {@link RabbitMqFaultTest}: subscribes to {@link Meters} in the group
 * given as first argument with the prefetch given as second, and never finishes a handler, so
 * it holds {@code prefetch} unacknowledged messages until it is killed. Prints {@code READY}
 * once consuming and {@code HOLDING <n>} per message it holds.
 */
public final class HoldingConsumerProcess {

    private HoldingConsumerProcess() {}

    public static void main(String[] args) throws Exception {
        String group = args[0];
        int prefetch = Integer.parseInt(args[1]);
        RabbitMqTransport transport = RabbitMqTransport.builder()
                .options(MessagingOptions.builder().prefetch(prefetch).build())
                .clientId("holder-" + ProcessHandle.current().pid())
                .build();
        Parley parley = Parley.builder().service("holder").transport(transport).build();
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        parley.subscribe(Meters.class, new Meters() {
            @Override
            public void reading(Reading reading) {
                synchronized (System.out) {
                    System.out.println("HOLDING " + reading.n());
                    System.out.flush();
                }
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, group);
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
