/** Common surnames and given-name characters, enough for demo names that read as real people. */
const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁',
  ...'任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤',
]

const GIVEN_NAME_CHARACTERS = [
  ...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建文辉力玲红鹏斌宇浩凯健俊帆帅旭宁',
  ...'欣雪琳晨婷颖倩佳子涵梓轩一诺雨欣思远嘉怡博文泽宇晓峰海燕秀云志强丹萍春梅秋菊',
]

/** A surname and a one- or two-character given name, drawn from `random`. */
export function drawChineseName(random: () => number): string {
  const surname = pick(SURNAMES, random)
  const givenLength = random() < 0.35 ? 1 : 2
  const given = Array.from({ length: givenLength }, () => pick(GIVEN_NAME_CHARACTERS, random))

  return surname + given.join('')
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]
}
