import NIOCore

/// Responses read off a connection, handed in order to whoever waits for the next one, with a
/// timeout per wait; once the connection fails, every wait fails. Confined to one event loop.
final class ResponseQueue<Element: Sendable>: @unchecked Sendable {
    private var ready: [Element] = []
    private var waiting: (promise: EventLoopPromise<Element>, timer: Scheduled<Void>)?
    private var failure: (any Error)?

    /// Hands `element` to the waiter, or keeps it for the next one.
    func deliver(_ element: Element) {
        if let w = waiting {
            waiting = nil
            w.timer.cancel()
            w.promise.succeed(element)
        } else {
            ready.append(element)
        }
    }

    /// Fails the waiter and every later wait (the first failure is the one reported).
    func fail(_ error: any Error) {
        if failure == nil { failure = error }
        if let w = waiting {
            waiting = nil
            w.timer.cancel()
            w.promise.fail(error)
        }
    }

    /// The next element, or `timedOut()` after `timeout`.
    func next(on loop: any EventLoop, timeout: TimeAmount, timedOut: @escaping @Sendable () -> any Error) -> EventLoopFuture<Element> {
        loop.flatSubmit {
            if !self.ready.isEmpty { return loop.makeSucceededFuture(self.ready.removeFirst()) }
            if let failure = self.failure { return loop.makeFailedFuture(failure) }
            let promise = loop.makePromise(of: Element.self)
            let timer = loop.scheduleTask(in: timeout) {
                if let w = self.waiting, w.promise.futureResult === promise.futureResult {
                    self.waiting = nil
                    promise.fail(timedOut())
                }
            }
            self.waiting = (promise, timer)
            return promise.futureResult
        }
    }
}
