"""Quiz bank of chapter 2: made by `python -m tools.build_quiz` from the instructor's
tools/quiz_source.py (do not edit). Right answers are salted hashes and explanations are sealed:
see course/quiz/bank.py."""

# ruff: noqa: E501 - generated data (sealed explanations)

QUESTIONS = [
    {
        "id": "ch2_q1",
        "chapter": 2,
        "section": "2.9",
        "number": 1,
        "variable": "answer_1",
        "multiple": False,
        "question": "A text goes through the pieces of a pipeline. In which order do they work?",
        "code": "",
        "options": [
            "The model reads the raw text and predicts; the tokenizer then turns those predictions into "
            "text.",
            "The tokenizer turns the text into ids, and the model turns the ids into its prediction, which "
            "is text already.",
            "The tokenizer turns the text into ids; the model turns the ids into predictions; where text "
            "must come out, the tokenizer turns predicted ids back into text.",
        ],
        "salt": "a3a11206c11aae45",
        "right": "0e7d65993ef7643719d504b38bcd3540e6d5910b651ff540e9334fb9382778f5",
        "sealed": [
            "pK7JEOt5R27TJhY6FuteqcPnMgN6cHC2YA9stpkh2bs75kWYJUiyiVvFt3eB1iHbplDXQPPvOVZsZC9nQkMTz74m2/XF4nR+oglr1gQHd2HLVyFenkPBo1oT1ir8pEuuJXjs3ozXZk19K4OeiSV6BvMQpivJqUFlO+Tr/qdNyPw1WSjzGNrKKgk8/aITH3MkHz1soViGNsMAtBtMBPw4ztRl2ZJNlTR7JNmoiDr6GMl8lFTHE8T0",
            "KE6BOCBAduWmTUJvkCxAXxafLWrJXUijEmFR3lzYamago27EXLjy2cJ2kdzwVhFZHsRHQ1U8/KJUutfmlwtihMmsINpOP8gsChvC/E5V1rfeZHoDhXEh7LJwqOUXyLDk+KCY1UNwPjGb3HE8qLhQ1XPMP7vzVy0Iwewhr1Vgkh7vpAf/3o1NpUC9Wku3wdZobuX0ohD/MP4xS21n3rpx/Wfz3GyKvgaGu5pfcz/CUJCcDaOsUr6OfKevpoJUZvSf",
            "XLpSH1fRydXVvil/n/xdccnht6k/22E8G7F7VrUdpLqR13RiQyonv+t8VqAkRZyH+OHVQHSyMoJHAyk3YKkadCrldm6Edo9957C8QxSHmlESRgPl+Dd7Di2te/LYZSr6Ypew9kc7IveRM3HAJmiKTHf0gigQ8p1EaJQWSOJjIIeEymU4Q0ZIWPz9I3qQuBYeQknTVPP0+lW2o5OlRpGNg7sJ5Fkz114UxEkM9lnLGaCCbWb923IMaDX1LBcePsmW5jiXI8edSXJvb3lSsQYU8i6IiTHKHP/XLv8aEco24bgnAJXuLPoH3It363kUs63WzS2YxWBW5x31xxRZFV4uhk6diDgnqXMS32LkrwB8wjcwJ+S5nA4n0Hji5PyrLLJd6BLjJTMPkiwRd0I=",
        ],
    },
    {
        "id": "ch2_q2",
        "chapter": 2,
        "section": "2.9",
        "number": 2,
        "variable": "answer_2",
        "multiple": False,
        "question": "A base model (`AutoModel`, no head) returns `last_hidden_state`. How many dimensions does "
        "that tensor have, and what are they?",
        "code": "",
        "options": [
            "2: the sequence length and the batch size",
            "2: the sequence length and the hidden size",
            "3: the batch size, the sequence length and the hidden size",
        ],
        "salt": "3bdf43e863cf4c9e",
        "right": "95b5489b7367dd17dca5a97f2f04d1b7fdf0090baec5be930da907411d4686d4",
        "sealed": [
            "JULPbuHA5H9LU9IShgXP8P4XHp7FRUKbzu2cvmadrenDlpzL0hr+TfLRwoKZ7F2V9Iyw3ZteaQH6IpTF/utgWXdcLDBve8ug1Hzf+A42mT8d8UsxDsjAOM6bx2boOXFXkpOZVasrKLQ7MlaZdBT+hdSX3SUs6eQswHMyjF6R0iFKtvNe0chsKTfpjKRjzhO8iA==",
            "OSQpXC9VXxQfSD0R58AwS/ANnXhB+N8ba+VsnZVe2g/NCYyiO90i/PB3HBlbRG01NsNaxJfcneacIP/u8L8v26uv/0vxWERaXJzeby1P5Q4gN5D6VvqdWE2rR+cDcT+3YSo0CiaWtlEgFKQlLU1AJipu5ch6Fd5UmQLajIBa1pi5ZIWpg1mJOYDi3w==",
            "xbVqwVcp2bP9awHbVcO7CfHos6sjuL4IWqqvnePtx7BHCiJTSt8hVsbKAPG6cj0Xh1bMdX8XC80NCYeutorXjbHHfXpMBaecpX9C1pv2TmEO76Dan7PvohVHw81f0L1BeKJD0qA9nZp44YHyrnIzmBbV93lgta6pAg0Zx8F8hf/Zwo+hTpzKLOIGusFGgiz5gQsxoRVLaX2HkmBSyzqv1yDHw0bk7OOCDHAtYaMMz6hB4zNjSbzKTaT7CdlN8awGoT3FIRvpAcP+Px4XyD2esfGOGG0wOqV31KA2VStsBP5xud2ckIfm/7VKrQZ0YWmFVYLGo64dgFOeD48ijoCb+FCsw82YqrSGaNUxb/M+MczI8CupcPoWeA==",
        ],
        "sealed_changed": "VJn0OhdPcrHxi4x28p0PElme55rC/IbpBHnCaIXU8s65Gkc2D0d7JjV6Rmwj2REuyjAhvfIyxo4m11w14oOVygyJE3z7fdbQLvioF6IhEmeffrou+GbVvp70O1KPxHmpoEpDx/DHBettzk9ZnnUAfeGsfx0Nyk/LdC1Wzd+h/Nv4UJOBwKQu3Lg5",
    },
    {
        "id": "ch2_q3",
        "chapter": 2,
        "section": "2.9",
        "number": 3,
        "variable": "answer_3",
        "multiple": True,
        "question": "Which of these are **subword** tokenization algorithms? Choose every one that is.",
        "code": "",
        "options": [
            "WordPiece",
            "Character-based tokenization",
            "Splitting on spaces and punctuation",
            "BPE (byte-pair encoding)",
            "Unigram",
            "None of the above",
        ],
        "salt": "cb2b5d67130a12b4",
        "right": "489ee86bbb2ca1137959c5cace4e0978ed22d8a66031a8729ea8a728075989fb",
        "sealed": [
            "Lm+wEtmu9JhRi3JvFRtvcYo8Bat9jqgk8JAdKxyBtH34BQM4QpZ/WJabW4B0SglX2J185uiungcPZ3Wzp+7MsoGI1z/w7Fc4H8ZRoOd9hO8CTIldPxAZMP5M3sKbgugNtb4k1ZHDkW4EUsRSnEk62YE1M+bvQ+IiGHdHpIjGPquIabNA4YH/Lxrf5UCGERhbtUyXaNScJjz0iddtZJSyuA==",
            "Yi4PhRQnLj9Ro3iQbq1/Prf3uUDf4TFh12JU0YsxLwRcvDEjL+a0XgP7h9JzDQFEtAOhtIcAnkRB/yA4aa2hfgulz0yytCS5RAsEe9wf+ZCDW4F0dQbvZlBIH7gX9TPk1oB8fA0qJUART0AZb/nrOpv5keAHr6/Ovq923FRAOxviDitXs4tjN4kPXKdnMEUrU+TQJJgrKFxTqFjas9aJsbuy5wCrYw==",
            "GEg+2SjOHehUFUKaWJtL1ZJk4l7ppdq5rQmykYlXSNf8/PYYT1zUXe1PQ5PbfGRCTPj9WF32OKlRl8tAOWQRVlllRcGgWt/somoNbFQ0Qn+bLfmBPumU6LBnJX2FS4nqaaVDf89XflKBC2H9TMbM4nh+lrIpPcDHcgeRC1Z4YFYark/V9n2c0S8z4gotqjW78pf8TnjTDgXkP5w=",
            "7hxEq5YBWnSP+OzcqubkD4OBg46uqbgIEbcTQMnwOkK7pjJlhkrj5ZO00sDTWYxjZnwca8sYsIxQGg8qwxsbrOb8DO1oUJ6QlQ1YuJpZg6jNaaPldSmK+hDEsRUBiMe4qJ+zvK/Nb45BwB5BtxvwVEVVjvDn/icnJNVBIJ/+XOGVC6u/klG8KO/OACAqTTEpgGk4glzsnoNLlKLyqz+J9dguTFq8X5Dbeo30eWaq0DD+Adr6hcnYVvgvN2ymb/Orl4rx0o0=",
            "KAUtZ/wQiQ4+25hA6UYo3zsp+3bEjraLrYLDxtioFQt+5W4mF8sNy1y4qHjQztpuFKUAUMo8pxcx2m+3j2VmRglM26g/0m1qlfr+QLbuTIGUiV6Z+mQAPWRddeWpJOFMsDN7V205p1NoauwOpTnIILLehkmMPcPq8zsmwTXVygl7RqFe8RvdfO+ekXnb5FS6cJ0U7IMJUeswFre+BepQz7kfcTaKPfCToQ19atMcz/yAqT2ezh1+FZtZ",
            "NZiI5Y37cGeFOposKt86EDAzMPX9YSXiwjsFS0XObXiSEKHbiC6aCkqg6PYknFs7WqyvuOaROTOJk0vVWlVe1jcYYLGT+r6lQbOlGFQpR3faihA2OInIEhTrzFjlFTGhVmRflui4ww==",
        ],
    },
    {
        "id": "ch2_q4",
        "chapter": 2,
        "section": "2.9",
        "number": 4,
        "variable": "answer_4",
        "multiple": False,
        "question": "What is a model's *head*?",
        "code": "",
        "options": [
            "A part of the base Transformer that sends each tensor to the right layer",
            "Another name for self-attention, which updates each token's vector from the other tokens",
            "One or a few layers on top of the body that turn its hidden states into the output a task needs",
        ],
        "salt": "172e7b89dcec8beb",
        "right": "983515f1e53aafb58c31fe2eeb6453fb450cef6b7079d52082d83d3ee8e723bb",
        "sealed": [
            "gUWBDPSiyAxF4TU+6ZZMsQxo5U90yzVSu8GfwSSo2iOx5omJzN1faIf5Vv03LDExqfuL7G0IuN5vonsGVy6yWkR6u2SuC7+HV0ujp1yjFQNsnFyx4satH6xHGGdQqP+kZVWWjnsuhskVZ0IzbxuYaXNGNTRKEYo5PHX9/w==",
            "OTfcMg7fuklXsZTYa3xmAb1+tyrc+5Yc76r04DT/+VPm7rYsUKZa6y+dMUNrC2O4DqsaG7c5/LO+UH4mOVOzN976QuQGz3cnxJiqUXpZEOgfL4eUORuHOEoCrZ90yhqbfd5T5hN8n0gHpEURoamgFeskOQhAgP7jzZ0t1pSTn2XGTg0DW0CMS7hd/1uZaOStvcxQl2Do",
            "Ka7wA4971LA1Xz21QQh4ZD+8pYlxDKrY1pBXxzLENJukkW4wH8MFQFYT//4NdS0orvR/kxXEmWZ00JJK9WWelhMlPUBHPUQcyGefzl9uBarWkggtNuF2S1hPUDPWAGEM5ACr0yJfqfXEXUVjYebHjbEDmsktsWAKgahW/wRfvOx39gOlET/9I0UYN0wcGFKq4gU2c6nTXQ5L6q5+rGMZ10T2TNE/YtPefWppYoFfD1UK9in6r2JLzA9GMoWI/nwLNoCeR6bRAojYbKUR9zAM+hEczQNjCrL3sdJreWTkcAljgNsIFMb8TXEqawF0XlJV0S9Jiz7TiUgf2YHL5A9iOLFjXpQ7GFJqo1ih",
        ],
    },
    {
        "id": "ch2_q5",
        "chapter": 2,
        "section": "2.9",
        "number": 5,
        "variable": "answer_5",
        "multiple": False,
        "question": "What is an `AutoModel`?",
        "code": "",
        "options": [
            "A model that trains itself on your data",
            "A class that reads a checkpoint's configuration and builds the architecture it names",
            "A model that detects the language of its input and loads the weights for that language",
        ],
        "salt": "e32dc5810f426636",
        "right": "554c27ef3c70088c58940f79912e856707d59bb0e827ed4656ec1285d8b8c634",
        "sealed": [
            "ZZ/YfDJDVIOaV3D1H9BG+N2xTFM4BP5MpbgXGYwAp2BuXQIiVcRxxVR2gnMV15jfUPaxLERb9+g3LpLqApEIMPdZ21XcTTr/lEAhe8HCXptiRQLvLcsx4Ouu8BraNKWVgDEk0UhYObfpIoCEc4X9mpgD/AySIs4N2Ma/VNxaG1xq0nVyAQqoc7x5S4uSZrrOKSutZdrrGCfkH/5YEsjmbNzkaTE=",
            "ArS6SirjMwtp2HxFhAdPK5PyTjCQaO2v9m2T5nNzKOeRbjlHNzhuqRtxGWK0Oy0g3bkMbgYBmLaIyLX7jno+xu2HQTBjqIiqnQwjobvpwkIO2EJJ9KPromeOgpSrobvnIXJGmCYtn83t6IES9h6NmYpr6Fo6LhzldVXLYFTgqhSX/D3qfW7HrUDCLwIYYg1Jzi4OBC5aTsmUCqHt3jzaC37+I5QMymOrJS94uOkWYQgfIjc/VkME7LzJ0mrabkFV/FaQtKGymUOwVSzFH36gPI9wxzM/srL6UWa2Mu/N0wq9skDryXBK2gDBvjq6WgN3Vo3JrqqZr6Tt5mhZUJRrjIfKwgDZamwRs+SCO2ahPkk2GIfsavsiyuRURKSIKI2h0s3lX1aAXA==",
            "PIeNbqc3WpHUgfGktyctcWjvgmavhPRelz1q+4pkPgdYAwuSjPhX3pQ7MtTY5hqZqdZImG0G5nk9ObYr3A8R/QgkWb8MDTMA+xYc7KmvWv2rTkqTC272Lfdqe7zx3Znr3hG9PduvdDN197YIhdAG6NNnQDUwoeix9dl2GF7rnuyOFCtQ25Ii6eaZT2WuWnTB7ZcniJjoQr5kRVigarOStWn1FfcxFw==",
        ],
    },
    {
        "id": "ch2_q6",
        "chapter": 2,
        "section": "2.9",
        "number": 6,
        "variable": "answer_6",
        "multiple": True,
        "question": "Sequences of different lengths go into one batch. Which techniques do you need to know about? "
        "Choose every one that applies.",
        "code": "",
        "options": ["Truncation", "Returning tensors", "Padding", "Attention masks"],
        "salt": "daeee0cdeefc07f5",
        "right": "49cd411ac172ef71e2baa352ee6256f7381bac6f831cbd2832db5b18141c9d24",
        "sealed": [
            "gV0pYfukCSwW3vX4Sacnvk/Vpg/qpmLghAvEEVVC13xXeWj3YcURAmJtIsGG/6RWcpnnTmcjObmJMaY+v8uZwzeVyNOXdtufRX672Wu13eSjn7oMSiX6Q4PNyfSc+tYZyOaZfzwz4atiEzjUCK8nfMzTj22lyPLinNs8YDy2hIOo0mYN671BoAq2o8BqD21iUImOY7fjezybOol44KX5a9Rh7FjohENDzU9036P7EiNDSXXUyr9yEVGuT8Hxb/TeNGRTEVhGfTnl",
            "B0dGk+FcRGrZ1y7X/D2aNmhIPpO1TPPtfaFMsgPn7pjj6n8043PBnDJeuOFuwF2vyhBFrPoxLtKAcEpYsAzmj/5VJ+xIipZbdIytY4a2Of7Dvanw1e0XiJHPRCKuAONUpZIcnPEXkdMOA5auboiHmjSke//ELRN7X2p6N1lQoeqnnn4uSZ1i3uPRWKz7trcGdbiJxxYJ+owQjnverciDUd8rRIexVZLPyOgs8ijK/LTaL1DkPg==",
            "OncgUegrEpC9WfjIn0rzHE/TOJBSEg2x3FHszRmqTxRhhU6JkQ4RuizAH0JubhGoACBZ8ftzaxGBUoh9VSCQIYRpaQCo2pSk58RrV9h9AJ7vB6s73yQLDgnvPihon2z+iHLJwlotIEgeT2zos5YuSIgRicBsz/8UP68EHVqkAWKjUR62UxH6nTCdKeC5NJPHwLLD+QTMdaLRPjR9lEwJ",
            "UvcqgkStYKzXr1dlkCMQtbhZq72Ccf/aDO7qyDcqUtoqpvNM7CF4pDeWaq5st89OO8N5EZKjFS0dRD6UXqPxic4dlDJINSRp+GLl9L4C2S2ck9ZxiOYeJ47G6R/aLX3WltW8ZDvb6Q/Ljl5fUt4QNcPP/nDmNep9kUqz6J68DTCb5UhN+AVq+OzeQZ6vVsWUruqIHKSt0s7x1BLlyigNNYSO83G7gIf73dvYrCvvJshl2OMj",
        ],
    },
    {
        "id": "ch2_q7",
        "chapter": 2,
        "section": "2.9",
        "number": 7,
        "variable": "answer_7",
        "multiple": True,
        "question": "Why apply a softmax to the logits of a sequence-classification model? Choose every right "
        "reason.",
        "code": "",
        "options": [
            "It makes the logits more reliable.",
            "It puts every score between 0 and 1.",
            "The outputs add up to 1, so they can be read as probabilities.",
        ],
        "salt": "f7076e9fffe0f0fb",
        "right": "725ed0fccc7a7400e26192dd758f00b36f129ef4d8929f318379d3d3ba0c144c",
        "sealed": [
            "pOoRKt+QFyxlRBc4s9yKgvRoGOogjBsde5AhQF2Ksu5x1gGHVSYfvkGiBsDjjFy5ARc5VA7MzZVx5m0Bz3SH4FVUaijQ2ojMaRZi2zk63m/XnG/PZKrhrPrpIePsHIo/sNeZ64blEdO5/2k0N7mf2mwt9MOlqyM5GcxTOqZI7rgnQQsRigirhfvXuZxXXpQj6a5T+9KAnDeLlmlCUxGu/62U",
            "LnZ6RO8wxDriPAsUONRFvnL+Da1JhzZj0znhb1w9VfONoM6WASDGeF73MTZaDq6yH0nx3XarudEERwKxhtu7KhHwE47OM42flyjXDU/IU9uBvl6Sle+zIgzOwlW3CmCRrKMJuspUJnGfYHE=",
            "NpFLcp3xjTMVJ8KtgDKJmkqgKT34622IitTl9LUNgHwTcNVIl4mV/GNMgdwgphFjdveEhfvcBknfUYT1Zz9dK1MY8bd/3k5jQbk0h5QWJMuAGhHaangEGv/zfkcCEHZNN9zbz651/T1LdlevFM/nesL5oX1y4+xNxrtWPtqZ0CZJQVauBydy30pm8nP1X4B9iCjpEKMjaeWsNJwvsW3OJCppRpnsIQMyp2X3Na0wadGADO9IRJarAPTe",
        ],
    },
    {
        "id": "ch2_q8",
        "chapter": 2,
        "section": "2.9",
        "number": 8,
        "variable": "answer_8",
        "multiple": False,
        "question": "Which call is most of the tokenizer API built around?",
        "code": "",
        "options": [
            "`encode`, which turns text into ids and ids into predictions",
            "Calling the tokenizer itself: `tokenizer(texts, ...)`",
            "`pad`",
            "`tokenize`",
        ],
        "salt": "bfb18be35f7a8e98",
        "right": "2baaec752f0d64d44b38bafbc3268ee53e5e0424da92ca709166d6d558bf9425",
        "sealed": [
            "3+D+PUXdNEKpn3nqgODj2s4SpnvUpLvkGfjU8JzRr5hAYyLnUH8RTSBjfF4BJtZaIhqPWFdx/knEbKBpeIQ0WWaCnOu1gP+ue5gJeK7DKuiSSoNYiBcv15A/1wx/VOQ4CgzfREVAgQvGG/AplrFnPeVZwHdAj4FGOu7l2/JK6a/88A+WDblOF92NLPBWrHt0CMb+pithfOqLAaXNjfoL4vTYmMnICpldY9bH8fOq",
            "4pPbTcj4CJcr7wRc/3MYNsAib2UF09dj7/oGONnH7mPeTa9fP4i0ryrJ3kIzRITLY99/6xQ0IC+As0fzVuwkbWo00vGRuKqKr8x6R0vGx3rRTGkqj0hpTXSwB3nNoxzWbNUmAREs3J+VgI9XwslYGu6efbStFFrPPVKqxFAi9vvXEfve/MqtM1O+3InVuB+aMpyQSFGY6TkB1/fkGDzd+0j+h9LUK2CxHwlx0F0/1DURSkYf2MFFzmkjN+uNrH+c1LdRC9UjS8xjmE3cM6Njj6FEQfmz9zP2IaGVLaTKop5weQPnJjd6HHdtX50fapXpjOCJ2PZPuZ1Qyyt9srwRayIqhNv909XDlUDt1XQ/Ytr/YQJFEk6Bzev3jpc=",
            "Cbm01YJqhOMbqCWAozNgu7nnFd8vOEH8Y7YX0KeHdIurSPtHcJR4LM9y8NF9p96Jgx9CvfY9nLdz0XCvPDY853/bFk36wulTn2tB3/0OwaNRV9fuMxG6PlC67Hm2gcBtd2jZ+UgbNTG210+POcn6TQ==",
            "70zIEKxJ3RNFOT9YvzPnhdv2XfRQ2mr1SnnrseCDJLEeqGnT9QAVeo+pfMRyZ/RGj3RNXKtJthUFo82yn5obowbzaobTsFMgSXe6DgGq9G9LXDqJy4spvwenuY/GRVtEb2FTixHVdOFVn9gBv25ttjKR1W160Cc76g==",
        ],
        "sealed_changed": "D6S1q+jfIhqJ1BzO8iuD6X++ONa+i3t/A92iksDXTKrO1h9/Zds7i+H7I/75mE7tV20FkPI7MCsgMbeXyBxy2YgHbpaNsfbAHb7YS+r/nYoE8fVQeIXc5Wyj1osAZncLCdUzTD34D/2a5miCmN6KsOcwq55UzE+G3Ys0gTuq",
    },
    {
        "id": "ch2_q9",
        "chapter": 2,
        "section": "2.9",
        "number": 9,
        "variable": "answer_9",
        "multiple": False,
        "question": "What is in `result` after this code?",
        "code": "from transformers import AutoTokenizer\n"
        "\n"
        'tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")\n'
        'result = tokenizer.tokenize("Hello!")',
        "options": ["A list of strings, one per token", "A list of ids", "One string holding all the tokens"],
        "salt": "af54dae198a7a627",
        "right": "b187ed185400eef68bb251a6d534c60383c8e7150248cbc7dcb853fb63ef606d",
        "sealed": [
            "2uuog0soeMbfknzbrVM2kypN0u6zsUTQN9Mliz2iCk//EyDhii8/eIy0nknU2QOcvIxN5BBoWfED3UEKD558MUzp563Sd8040NWorB/cv7X8iraCQ1abbFf7wD2U4Z31aFeyWoGSSImMDpAHaww+WUJ2WfKpLyZPlqiiAxggDxB0tlN52DdFa/8jEFk4X7x6PhRmkUk=",
            "16rI1pCV+5vg2ZvP9efwzZXIjbfaN9o1NSG4huaGbWC/EdLko9bY/WU7R4BQmVCt4ZRpfVZRbdo9ZFZYByJDkZW/ftxzhdD1hCqCTN8QFh9Fz0RGNE+9CCcMxtz4DBgmnIXcjSI6jbIywxylPb62x9I7Csvc66x+pJGjdA==",
            "LloIJ84PQVNAo/kxDDwiDuPQzm04dgBb6aaTBtwl3SdkH+RidFvHp3ta10e2WsdCZ0N03VrjIb3HZ1GMsYocNGg6M+QNbB8QVXUhQrrsqyugTgkLnpZmLwAT2mt6SfFy1B2KsUs=",
        ],
        "sealed_changed": "GQ82varvPJ4lJ0ErRVN/nmm/nuPR/WmEi/DOod0ktP3zV7dkUp2bE0x6ZaHBNcZgiypgz51b4ISoPTd70TAglLRnQcSJmmn/zvESnuU4FNtPJhQBmWvRmhdAOd/p3r98hN3rxwPB8Spl5/d42bRkfkFu96AXTebEuEK9XokC7elUK5jw+78cSBzRjiprDMcaoRXIMB2ob7QRKkI//TSVwD9jWVw=",
    },
    {
        "id": "ch2_q10",
        "chapter": 2,
        "section": "2.9",
        "number": 10,
        "variable": "answer_10",
        "multiple": False,
        "question": "Is something wrong with this code?",
        "code": "from transformers import AutoModel, AutoTokenizer\n"
        "\n"
        'tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")\n'
        'model = AutoModel.from_pretrained("gpt2")\n'
        "\n"
        'encoded = tokenizer("Hey!", return_tensors="pt")\n'
        "result = model(**encoded)",
        "options": [
            "No, it looks right.",
            "The tokenizer and the model should come from the same checkpoint.",
            "It should pad and truncate, because every input is a batch.",
        ],
        "salt": "8e211b6be30b9c2b",
        "right": "75a385aae13546d439ee34b1aaaf7e58b5ca2ffd848c03b17082d282d4c34157",
        "sealed": [
            "a3xkkQAXr/AtIT1hNtVU0zMYP0mdjFdBuxX0xaEF4mAmLOxGa6pPHdx6db9GArJpHD47Hwa4Xod2CcBUuCalzy5A0Mpx5FikhgbVDT8RmKPwrsfuhjdydwswuQ8LMYaGKo+lZsSRiX3QSuHz/JMsn+4tm2ce8q8x4EFy937N+5YwAVKGiqasG2yBm+yXhPKNtF4XO8ucqx+CDbySb49ISeh0itw6RzU1oO2c1C//t0kJ8hBw0TZKDaK0h3nU7Kl1pVQ2CILVhBs7IKVkGTp33MpwLUsbJz1x7GebWAU=",
            "ci/d96m90aGI3Z4XVyTDMy/Qmq1MCVcgdH0PT2pFO8KwBeZjToj/1cozyIdfTVbArushDfTuHAH0/8bVhTIxIM9EZcvg6C19ya6deSH0oZuJAYq7wICjD1ykMHmzWFyCda5z84/5HiOPQjeilIsDo/FCOpyR3fWkEh8YTu/dUoKKJanc",
            "NbQNl1M3FKA5PPvKGilVovoJAVxm6gqDxBDscQnuRjOIOQCSXbIgP0tSIUtzP0RW0IswbYnM38VOPmuoYr4bMrYwY4nRi3pGhAUBvK/yDKnKy8AvV6UVjf/l248/L0eHwtrN516d3VlJeeaLqTdZ979eKZo2Gq4LsxSJSuNCmiZZWzcNl2fkXdaoXyuMKOG76NwSSg10NUp5lYLs1jC/JLOoYOeD9lzgZTHFl/1krsOOhgm3i4kBMewRANUR4xOamOeLS4mUNH9QGw==",
        ],
    },
]
