; Integrates f(x) = 4 / (1 + x^2) over [a, b] with the midpoint rule on n
; intervals. Over [0, 1] the exact value is pi. Only +, *, / on IEEE doubles,
; so every machine gets the same bits.
.program integrate
.global a 0.0
.global b 1.0
.global n 10000000
.global sum 0.0

.func f x
        push 4.0
        push 1.0
        load x
        load x
        mul
        add
        div
        ret
.end

.func main
.local i h
        gload b
        gload a
        sub
        gload n
        itof
        div
        store h             ; interval width
loop:
        load i
        gload n
        lt
        jz done
        gload a             ; midpoint a + (i + 0.5) * h
        load i
        itof
        push 0.5
        add
        load h
        mul
        add
        call f
        gload sum
        add
        gstore sum
        load i
        push 1
        add
        store i
        jmp loop
done:
        gload sum
        load h
        mul
        ret
.end
