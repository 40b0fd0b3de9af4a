; Doubly recursive Fibonacci: many short calls, a deep and changing call stack.
.program fibonacci
.global n 22

.func fib k
        load k
        push 2
        lt
        jz recurse
        load k
        ret
recurse:
        load k
        push 1
        sub
        call fib
        load k
        push 2
        sub
        call fib
        add
        ret
.end

.func main
        gload n
        call fib
        ret
.end
