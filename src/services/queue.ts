/**
 * A single-consumer async queue: producers push, end or fail it; the consumer iterates with
 * `for await`. Used for DIMSE responses and streamed C-STORE datasets.
 * @module
 */

export class AsyncQueue<T> implements AsyncIterable<T> {
  #items: T[] = []
  #head = 0
  #done = false
  #error: Error | undefined
  #waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: Error) => void } | undefined
  readonly #onDequeue: ((item: T) => void) | undefined

  /** @param onDequeue called with each item after the consumer took it (for flow control) */
  constructor(onDequeue?: (item: T) => void) {
    this.#onDequeue = onDequeue
  }

  /** Items waiting for the consumer. */
  get size(): number {
    return this.#items.length - this.#head
  }

  push(item: T): void {
    if (this.#done) return
    const w = this.#waiter
    if (w) {
      this.#waiter = undefined
      w.resolve({ value: item, done: false })
      this.#onDequeue?.(item)
      return
    }
    this.#items.push(item)
  }

  end(): void {
    if (this.#done) return
    this.#done = true
    const w = this.#waiter
    if (w && this.size === 0) {
      this.#waiter = undefined
      w.resolve({ value: undefined, done: true })
    }
  }

  fail(error: Error): void {
    if (this.#done) return
    this.#done = true
    this.#error = error
    const w = this.#waiter
    if (w && this.size === 0) {
      this.#waiter = undefined
      w.reject(error)
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.size > 0) {
      const value = this.#items[this.#head]!
      this.#items[this.#head++] = undefined as T
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head)
        this.#head = 0
      }
      this.#onDequeue?.(value)
      return Promise.resolve({ value, done: false })
    }
    if (this.#done) return this.#error ? Promise.reject(this.#error) : Promise.resolve({ value: undefined, done: true })
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject }
    })
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return { next: () => this.next() }
  }
}
