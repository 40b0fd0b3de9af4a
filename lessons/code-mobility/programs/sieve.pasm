; Sieve of Eratosthenes on the heap: alloc reserves 'limit' cells at run time,
; so the data segment that moves holds the marks made so far.
.program sieve
.global limit 20000

.func main
.local base i j count
        gload limit
        alloc
        store base          ; heap[base + k] == 1 marks k as composite
        push 2
        store i
outer:
        load i
        gload limit
        lt
        jz done
        load base
        load i
        add
        hload
        jnz nexti
        load count
        push 1
        add
        store count
        load i
        load i
        mul
        store j
inner:
        load j
        gload limit
        lt
        jz nexti
        load base
        load j
        add
        push 1
        hstore
        load j
        load i
        add
        store j
        jmp inner
nexti:
        load i
        push 1
        add
        store i
        jmp outer
done:
        load count
        ret
.end
