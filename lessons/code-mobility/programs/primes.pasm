; Counts the primes in [lo, hi) by trial division.
; The running count lives in the data segment (global 'found'); the candidate
; and the divisor being tried live in the execution state (locals n and d).
.program primes
.global lo 2
.global hi 800000
.global found 0

; isprime(n): 1 when n is prime, else 0. Tries the odd divisors up to sqrt(n).
.func isprime n
.local d
        load n
        push 2
        lt
        jz atleast2
        push 0
        ret
atleast2:
        load n
        push 2
        mod
        jnz odd
        load n              ; even: prime only if it is 2
        push 2
        eq
        ret
odd:
        push 3
        store d
try:
        load d
        load d
        mul
        load n
        gt
        jnz prime           ; d*d > n: no divisor below its square root
        load n
        load d
        mod
        jz composite
        load d
        push 2
        add
        store d
        jmp try
prime:
        push 1
        ret
composite:
        push 0
        ret
.end

.func main
.local n
        gload lo
        store n
next:
        load n
        gload hi
        lt
        jz done
        load n
        call isprime
        jz skip
        gload found
        push 1
        add
        gstore found
skip:
        load n
        push 1
        add
        store n
        jmp next
done:
        gload found
        ret
.end
